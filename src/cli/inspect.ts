import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the inspect command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "inspect", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "inspect is not built yet");
  },
});
