import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the verify command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "verify", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "verify is not built yet");
  },
});
