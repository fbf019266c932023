import { statSync } from "node:fs";
import * as v from "valibot";
import { openSide, CompareInputError, fidelityVerdict, renderPythonJson, type FidelityVerdict } from "../compare/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { parseJsonText, readText } from "./_compare-io.ts";
import { logger } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.fidelity,
    args: {
      input: {
        type: "positional",
        description: "An archive .tar.gz, an extracted archive directory, or an observation-health.json file",
        valueHint: "ARCHIVE|FILE",
      },
      json: { type: "boolean", description: "Print only the verdict document on stdout, no explanation on stderr" },
    },
    run: ({ args }) => fidelityCommand(parseArgsWith(FidelityArgsSchema, args)),
  },
  {
    examples: ["assay-runner fidelity run/archive.tar.gz", "assay-runner fidelity extracted-dir/observation-health.json --json"],
  },
);

// --- internal ---

const FidelityArgsSchema = v.looseObject({ input: v.string(), json: v.optional(v.boolean()) });

async function fidelityCommand(args: v.InferOutput<typeof FidelityArgsSchema>): Promise<number> {
  const { text, file } = await readHealth(args.input);
  const verdict = fidelityVerdict(parseJsonText(text, file));
  writeStdout(renderPythonJson(verdict));
  if (args.json !== true && verdict.verdict !== "clean") logger.warn(explain(verdict));
  return 0;
}

// One plain sentence: the verdict and, for each reason, the health field and what it held.
function explain(verdict: FidelityVerdict): string {
  const why = verdict.reasons.map((reason) => `${reason.field} is ${reason.observed}`).join("; ");
  const blocked = Object.entries(verdict.claim_gate)
    .filter(([, decision]) => decision !== "allowed")
    .map(([claim, decision]) => `${claim.replaceAll("_", " ")} ${decision}`);
  return `fidelity verdict ${verdict.verdict}: ${why}${blocked.length > 0 ? ` (${blocked.join(", ")})` : ""}`;
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
