import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the diff command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "diff", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "diff is not built yet");
  },
});
