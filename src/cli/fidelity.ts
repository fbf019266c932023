import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the fidelity command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "fidelity", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "fidelity is not built yet");
  },
});
