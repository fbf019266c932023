import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the claims command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "claims", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "claims is not built yet");
  },
});
