import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the validate command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "validate", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "validate is not built yet");
  },
});
