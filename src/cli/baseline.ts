import { defineCommand } from "citty";
import * as v from "valibot";
import { BaselineBuilder, emptyBaseline, healthFinding, PathProjector, renderBaseline } from "../review/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { OutputFile } from "./_output-file.ts";
import { compileReviewRules, openProjectedRun, readBaselineFile, readReviewRules } from "./_review-io.ts";
import { UsageError } from "./errors.ts";

export default defineCommand({
  meta: {
    name: "baseline",
    description: [
      "Build a reviewed allowlist (assay.runner.baseline.v0) from observed runs: the union of their projected",
      "path classes, paths (unknown paths collapsed into globs), programs, network classes and endpoints,",
      "each entry counting the runs that saw it. The same runs in any order give the same bytes.",
      "Exit codes: 0 written, 2 bad usage or unreadable input (nothing written).",
      "",
      "Examples:",
      "  assay-runner baseline run1.tar.gz run2.tar.gz run3.tar.gz -o baseline.json",
      "  assay-runner baseline run4.tar.gz --merge baseline.json -o baseline.json",
    ].join("\n"),
  },
  args: {
    archives: { type: "positional", description: "Evidence archives (.tar.gz or extracted directories)", valueHint: "ARCHIVE…", required: true },
    output: { type: "string", alias: "o", description: "Baseline file to write (atomically)", valueHint: "FILE", required: true },
    rules: { type: "string", description: "Projection rules (assay.runner.projection_rules.v0); default: the built-in heuristics", valueHint: "FILE" },
    merge: { type: "string", description: "Existing baseline to extend: its entries keep their order, its rules are used", valueHint: "FILE" },
    json: { type: "boolean", description: "Print a summary as one JSON document on stdout" },
    quiet: { type: "boolean", description: "Only print errors" },
  },
  run: ({ args }) => baselineCommand(parseArgsWith(BaselineArgsSchema, { ...args, archives: args._ })),
});

// --- internal ---

const BaselineArgsSchema = v.looseObject({
  archives: v.pipe(v.array(v.string()), v.minLength(1, "expected at least one archive")),
  output: v.pipe(v.string(), v.minLength(1, "expected a file")),
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
  const existing = args.merge === undefined ? undefined : readBaselineFile(args.merge);
  const rules = existing?.rules ?? readReviewRules(args.rules);
  const projector = new PathProjector(compileReviewRules(rules, args.merge ?? args.rules ?? "<default rules>"));
  // One run at a time: the builder keeps the distinct values, each archive is dropped after it.
  const builder = new BaselineBuilder(existing ?? emptyBaseline(rules));
  for (const archive of args.archives) {
    const run = await openProjectedRun(archive, projector);
    // Such a run still counts, but it cannot show everything the workload does.
    const health = healthFinding(run.evidence.healthJson);
    if (health !== undefined) logger.warn(`${archive}: ${health.message}; the baseline learns only what it saw`);
    builder.add(run);
  }
  const { baseline, skipped } = builder.finish();
  for (const digest of skipped) logger.warn(`skipped ${digest}: the baseline already holds that run`);
  const out = new OutputFile("--output", args.output);
  out.write(renderBaseline(baseline));
  out.commit();
  const summary = { output: args.output, run_count: baseline.run_count, paths: baseline.paths.length, execs: baseline.execs.length, endpoints: baseline.endpoints.length, skipped };
  if (args.json) printJson(summary);
  else logger.success(`wrote ${args.output}: ${baseline.run_count} runs, ${baseline.paths.length} path entries, ${baseline.execs.length} programs, ${baseline.endpoints.length} endpoints`);
  return 0;
}
