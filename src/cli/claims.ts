import * as v from "valibot";
import { annotateDriftReport, claimSupportTable, evaluateClaims, parseClaimAssertion, renderPythonJson, SEED_DESCRIPTORS } from "../compare/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { parseJsonText, readText, repeatedFlag, reportClaims } from "./_compare-io.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { UsageError } from "./errors.ts";

export default cliCommand(
  {
    meta: COMMAND_META.claims,
    args: {
      report: { type: "positional", required: false, description: "A runtime-drift v0.2 report to annotate with coverage claims", valueHint: "DRIFT_JSON" },
      descriptors: { type: "boolean", description: "Print the five seed coverage descriptors (assay.runner.coverage_descriptor.v0)" },
      "assert-claim": {
        type: "string",
        description: "With a report: assert TYPE:DIMENSION (positive|exhaustive|bounded_negative); exit 1 if blocked. Repeatable",
        valueHint: "TYPE:DIM",
      },
      json: { type: "boolean", description: "The document is the output, on stdout; no claim lines on stderr" },
    },
    run: ({ args, rawArgs }) => claimsCommand(parseArgsWith(ClaimsArgsSchema, args), rawArgs),
  },
  {
    synopsis: "[OPTIONS] [DRIFT_JSON]",
    examples: ["assay-runner claims", "assay-runner claims --descriptors", "assay-runner claims drift.json --assert-claim positive:network_endpoints"],
  },
);

// --- internal ---

const ClaimsArgsSchema = v.looseObject({ report: v.optional(v.string()), descriptors: v.optional(v.boolean()), json: v.optional(v.boolean()) });

function claimsCommand(args: v.InferOutput<typeof ClaimsArgsSchema>, rawArgs: readonly string[]): number {
  const assertions = repeatedFlag(rawArgs, "assert-claim").map(parseClaimAssertion);
  if (args.descriptors === true) {
    if (args.report !== undefined) throw new UsageError("BAD_ARGUMENT", "--descriptors takes no report");
    writeStdout(renderPythonJson(SEED_DESCRIPTORS));
    return 0;
  }
  if (args.report === undefined) {
    if (assertions.length > 0) throw new UsageError("MISSING_ARGUMENT", "--assert-claim needs a drift report to annotate");
    writeStdout(renderPythonJson(claimSupportTable()));
    return 0;
  }
  const annotation = annotateDriftReport(parseJsonText(readText(args.report), args.report));
  writeStdout(renderPythonJson(annotation, { sortKeys: true }));
  return reportClaims(evaluateClaims(annotation, assertions), args.json === true);
}
