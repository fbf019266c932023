import * as v from "valibot";
import { BaselineBuilder, emptyBaseline, healthFinding, PathProjector, renderBaseline } from "../review/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { checkOutputFile, writeOutputFile } from "./_output-file.ts";
import { compileReviewRules, readBaselineFile, readReviewRules } from "./_review-io.ts";
import { forEachRun } from "./_review-runs.ts";
import { UsageError } from "./errors.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.baseline,
    args: {
      archives: { type: "positional", required: false, description: "Evidence archives (.tar.gz or extracted directories)", valueHint: "ARCHIVE…" },
      output: { type: "string", alias: "o", description: "Baseline file to write (atomically)", valueHint: "FILE" },
      rules: { type: "string", description: "Projection rules (assay.runner.projection_rules.v0); default: the built-in heuristics", valueHint: "FILE" },
      merge: { type: "string", description: "Existing baseline to extend: its entries keep their order, its rules are used", valueHint: "FILE" },
      json: { type: "boolean", description: "Print a summary as one JSON document on stdout" },
      quiet: { type: "boolean", description: "Only print errors" },
    },
    // A flag not given is no key at all: present it as undefined so the message names what is missing.
    run: ({ args }) => baselineCommand(parseArgsWith(BaselineArgsSchema, { ...args, archives: args._, output: args.output })),
  },
  {
    synopsis: "[OPTIONS] ARCHIVE… -o FILE",
    examples: [
      "assay-runner baseline run1.tar.gz run2.tar.gz run3.tar.gz -o .assay/baseline.json",
      "assay-runner baseline run4.tar.gz --merge .assay/baseline.json -o .assay/baseline.json",
    ],
  },
);

// --- internal ---

const BaselineArgsSchema = v.looseObject({
  archives: v.pipe(v.array(v.string()), v.minLength(1, "at least one ARCHIVE is required")),
  output: v.pipe(v.string("an output FILE is required"), v.minLength(1, "expected a file")),
  rules: v.optional(v.string()),
  merge: v.optional(v.string()),
  json: v.optional(v.boolean()),
  quiet: v.optional(v.boolean()),
});

async function baselineCommand(args: v.InferOutput<typeof BaselineArgsSchema>): Promise<number> {
  configureOutput(args);
  if (args.merge !== undefined && args.rules !== undefined) {
    throw new UsageError("BAD_ARGUMENT", "--rules: a merged baseline keeps the rules it was built with; leave out --rules with --merge");
  }
  checkOutputFile("--output", args.output);
  const existing = args.merge === undefined ? undefined : readBaselineFile(args.merge);
  const rules = existing?.rules ?? readReviewRules(args.rules);
  const rulesFile = args.merge ?? args.rules ?? "<default rules>";
  const projector = new PathProjector(compileReviewRules(rules, rulesFile));
  // One run at a time, in the order given: the builder keeps the distinct values, each run is dropped after it.
  const builder = new BaselineBuilder(existing ?? emptyBaseline(rules));
  await forEachRun(args.archives, { rules, file: rulesFile, projector }, (archive, run) => {
    // Such a run still counts, but it cannot show everything the workload does.
    const health = healthFinding(run.evidence.healthJson);
    if (health !== undefined) logger.warn(`${archive}: ${health.message}; the baseline learns only what it saw`);
    builder.add(run);
  });
  const { baseline, skipped } = builder.finish();
  for (const digest of skipped) logger.warn(`skipped ${digest}: the baseline already holds that run`);
  writeOutputFile("--output", args.output, renderBaseline(baseline));
  const summary = {
    output: args.output,
    run_count: baseline.run_count,
    paths: baseline.paths.length,
    execs: baseline.execs.length,
    endpoints: baseline.endpoints.length,
    skipped,
  };
  if (args.json) printJson(summary);
  else
    logger.success(
      `wrote ${args.output}: ${baseline.run_count} runs, ${baseline.paths.length} path entries, ${baseline.execs.length} programs, ${baseline.endpoints.length} endpoints`,
    );
  return 0;
}
