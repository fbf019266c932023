import { defineCommand } from "citty";
import { statSync } from "node:fs";
import * as v from "valibot";
import { CompareInputError, fidelityVerdict, renderPythonJson } from "../compare/index.ts";
import { parseArgsWith } from "./_args.ts";
import { openSide, parseJsonText, readText } from "./_compare-io.ts";

export default defineCommand({
  meta: {
    name: "fidelity",
    description: [
      "Derive the fidelity verdict (assay.runner.fidelity_verdict.v0) of one run's observation health:",
      "clean, clipped, correlation_partial, not_applicable or failed, and which claims it lets through.",
      "Exit codes: 0 verdict printed (also for verdict failed), 2 unreadable input.",
      "",
      "Examples:",
      "  assay-runner fidelity run/archive.tar.gz",
      "  assay-runner fidelity extracted-dir/observation-health.json",
    ].join("\n"),
  },
  args: {
    input: { type: "positional", description: "An archive .tar.gz, an extracted archive directory, or an observation-health.json file", valueHint: "ARCHIVE|FILE" },
  },
  run: ({ args }) => fidelityCommand(parseArgsWith(FidelityArgsSchema, args)),
});

// --- internal ---

const FidelityArgsSchema = v.looseObject({ input: v.string() });

async function fidelityCommand(args: v.InferOutput<typeof FidelityArgsSchema>): Promise<number> {
  const { text, file } = await readHealth(args.input);
  const health = parseJsonText(text, file);
  process.stdout.write(renderPythonJson(fidelityVerdict(health)));
  return 0;
}

async function readHealth(input: string): Promise<{ text: string; file: string }> {
  const isArchive = input.endsWith(".tar.gz") || input.endsWith(".tgz") || isDirectory(input);
  if (!isArchive) return { text: readText(input), file: input };
  const side = await openSide(input);
  const file = side.where("observation-health.json");
  const bytes = side.member("observation-health.json");
  if (bytes === undefined) throw new CompareInputError(`${file}: missing`, { file, member: "observation-health.json" });
  return { text: new TextDecoder().decode(bytes), file };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
