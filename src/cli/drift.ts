import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the drift command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "drift", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "drift is not built yet");
  },
});
