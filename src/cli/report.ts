import * as v from "valibot";
import { buildBaseline, buildReportModel, checkRun, PathProjector, renderReportHtml } from "../review/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { checkOutputFile, writeOutputFile } from "./_output-file.ts";
import { compileReviewRules, openMembers, openProjectedRun, projectMembers, readBaselineFile, readReviewRules } from "./_review-io.ts";
import { UsageError } from "./errors.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.report,
    args: {
      archive: { type: "positional", required: false, description: "Evidence archive (.tar.gz or extracted directory)", valueHint: "ARCHIVE" },
      output: { type: "string", alias: "o", description: "HTML file to write (atomically)", valueHint: "FILE" },
      baseline: { type: "string", description: "Show findings against this baseline", valueHint: "FILE" },
      against: { type: "string", description: "Show findings against this other run (as a one-run baseline)", valueHint: "ARCHIVE" },
      rules: { type: "string", description: "Projection rules when no baseline is given; default: the built-in heuristics", valueHint: "FILE" },
      json: { type: "boolean", description: "Print a summary (file, run, counts, findings) as one JSON document on stdout" },
      quiet: { type: "boolean", description: "Only print errors" },
    },
    // A flag not given is no key at all: present it as undefined so the message names what is missing.
    run: ({ args }) => reportCommand(parseArgsWith(ReportArgsSchema, { ...args, output: args.output })),
  },
  {
    synopsis: "[OPTIONS] ARCHIVE -o FILE",
    examples: [
      "assay-runner report run.tar.gz -o report.html",
      "assay-runner report run.tar.gz --baseline .assay/baseline.json -o report.html",
      "assay-runner report head.tar.gz --against base.tar.gz -o report.html",
    ],
  },
);

// --- internal ---

const ReportArgsSchema = v.looseObject({
  archive: v.pipe(v.string("an ARCHIVE to report on is required"), v.minLength(1, "an ARCHIVE to report on is required")),
  output: v.pipe(v.string("an output FILE is required"), v.minLength(1, "expected a file")),
  baseline: v.optional(v.string()),
  against: v.optional(v.string()),
  rules: v.optional(v.string()),
  json: v.optional(v.boolean()),
  quiet: v.optional(v.boolean()),
});

async function reportCommand(args: v.InferOutput<typeof ReportArgsSchema>): Promise<number> {
  configureOutput(args);
  if (args.baseline !== undefined && args.against !== undefined)
    throw new UsageError("BAD_ARGUMENT", "--against: give either --baseline or --against, not both");
  if (args.baseline !== undefined && args.rules !== undefined)
    throw new UsageError("BAD_ARGUMENT", "--rules: a baseline brings its own rules; leave out --rules with --baseline");
  checkOutputFile("--output", args.output);
  const baseline = args.baseline === undefined ? undefined : readBaselineFile(args.baseline);
  const rules = baseline?.rules ?? readReviewRules(args.rules);
  const projector = new PathProjector(compileReviewRules(rules, args.baseline ?? args.rules ?? "<default rules>"));
  const opened = await openMembers(args.archive);
  const run = projectMembers(args.archive, opened, projector);
  let compareWith = baseline;
  if (args.against !== undefined) compareWith = buildBaseline(rules, [await openProjectedRun(args.against, projector)]).baseline;
  const check = compareWith === undefined ? null : checkRun(run, compareWith);
  const model = buildReportModel(run, (name) => opened.members.get(name), check, args.baseline ?? args.against ?? null);
  writeOutputFile("--output", args.output, renderReportHtml(model));
  if (args.json)
    printJson({
      output: args.output,
      run_id: model.runId,
      paths: model.paths.length,
      execs: model.execs.length,
      endpoints: model.endpoints.length,
      findings: check?.findings.length ?? null,
    });
  else
    logger.success(
      `wrote ${args.output}: run ${model.runId}, ${model.paths.length} paths, ${check === null ? "no comparison" : `${check.findings.length} finding(s)`}`,
    );
  return 0;
}
