import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the run command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "run", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "run is not built yet");
  },
});
