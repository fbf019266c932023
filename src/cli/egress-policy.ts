import { readFileSync } from "node:fs";
import * as v from "valibot";
import { openSide, CompareInputError, DriftArchiveError } from "../compare/index.ts";
import { deriveEgressPolicy, deriveEgressPolicyFromBaseline } from "../egress/index.ts";
import { readArchiveNetwork } from "../evidence/index.ts";
import { formatIssue, validateBaseline, type Baseline } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { writeOutputFile } from "./_output-file.ts";
import { logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { UsageError } from "./errors.ts";

export default cliCommand(
  {
    meta: COMMAND_META["egress-policy"],
    args: {
      archive: {
        type: "positional",
        required: false,
        description: "Archives (.tar.gz or extracted directories) to derive the policy from",
        valueHint: "ARCHIVE…",
      },
      baseline: { type: "string", description: "Derive the policy from a reviewed baseline (assay.runner.baseline.v0) instead of archives", valueHint: "FILE" },
      output: { type: "string", alias: "o", description: "Write the policy here (whole or not at all); default stdout", valueHint: "FILE" },
      json: { type: "boolean", description: "Print one JSON document {policy, digest} on stdout" },
    },
    run: ({ args }) => egressPolicyCommand(parseArgsWith(EgressPolicyArgsSchema, args)),
  },
  {
    synopsis: "[OPTIONS] ARCHIVE…",
    examples: [
      "assay-runner egress-policy run1.tar.gz run2.tar.gz -o policy.json",
      "assay-runner egress-policy --baseline .assay/baseline.json -o policy.json",
      "assay-runner egress-policy extracted-dir --json",
    ],
  },
);

// --- internal ---

const EgressPolicyArgsSchema = v.looseObject({
  _: v.optional(v.array(v.string()), []),
  baseline: v.optional(v.string()),
  output: v.optional(v.string()),
  json: v.optional(v.boolean()),
});

async function egressPolicyCommand(args: v.InferOutput<typeof EgressPolicyArgsSchema>): Promise<number> {
  if (args.baseline !== undefined && args._.length > 0) throw new UsageError("BAD_ARGUMENT", "give archives or --baseline, not both");
  if (args.baseline === undefined && args._.length === 0) throw new UsageError("MISSING_ARGUMENT", "at least one ARCHIVE (or --baseline FILE) is required");
  const derived =
    args.baseline === undefined ? deriveEgressPolicy(await observedNetworks(args._)) : deriveEgressPolicyFromBaseline(readBaseline(args.baseline));
  if (!derived.ok) throw new CompareInputError(formatIssue(derived.issues[0]));
  const { policy, digest } = derived.value;
  const text = `${JSON.stringify(policy, null, 2)}\n`;
  if (args.output !== undefined) writeOutputFile("--output", args.output, text);
  if (args.json === true) printJson({ policy, digest });
  else if (args.output === undefined) writeStdout(text);
  const from = args.baseline === undefined ? `${args._.length} archive(s)` : `baseline ${args.baseline}`;
  logger.info(
    `egress policy from ${from}: ${policy.endpoints.length} endpoints, ${policy.cidrs.length} CIDRs, ${policy.hosts.length} host names; digest ${digest}`,
  );
  return 0;
}

async function observedNetworks(paths: readonly string[]) {
  const observed = [];
  for (const path of paths) {
    const side = await openSide(path).catch((error: unknown) => {
      // An unreadable archive is bad input here (exit 2), not drift's exit 3.
      throw error instanceof DriftArchiveError ? new CompareInputError(error.message, { file: path }, { cause: error }) : error;
    });
    const network = readArchiveNetwork(side.member, path);
    if (!network.ok) throw new CompareInputError(formatIssue(network.issues[0]), { file: path, member: network.issues[0].member });
    observed.push(network.value);
  }
  return observed;
}

function readBaseline(path: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CompareInputError(`--baseline ${path}: ${error instanceof Error ? error.message : String(error)}`, { file: path }, { cause: error });
  }
  const baseline = validateBaseline(value, { file: path });
  if (!baseline.ok) throw new CompareInputError(formatIssue(baseline.issues[0]), { file: path });
  return baseline.value;
}
