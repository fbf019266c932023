import { defineCommand } from "citty";
import { UsageError } from "./errors.ts";

// Placeholder until the project command lands; replaced by its owner.
export default defineCommand({
  meta: { name: "project", description: "(not built yet)" },
  run: () => {
    throw new UsageError("UNKNOWN_COMMAND", "project is not built yet");
  },
});
