import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the doctor command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "doctor", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "doctor is not built yet");
  },
});
