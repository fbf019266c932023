import { appendFileSync } from "node:fs";
import { relative, sep } from "node:path";
import * as v from "valibot";
import { checkRun, PathProjector, renderSarif, renderStepSummary, renderWorkflowCommands } from "../review/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStderr, writeStdout } from "./_std-streams.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { checkOutputFile, writeOutputFile } from "./_output-file.ts";
import { compileReviewRules, openProjectedRun, readBaselineFile } from "./_review-io.ts";
import { OutputFileError } from "./errors.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.check,
    args: {
      archive: { type: "positional", required: false, description: "Evidence archive (.tar.gz or extracted directory)", valueHint: "ARCHIVE" },
      baseline: { type: "string", description: "Baseline file (assay.runner.baseline.v0)", valueHint: "FILE" },
      sarif: { type: "string", description: "Also write the findings as SARIF 2.1.0 to FILE", valueHint: "FILE" },
      json: { type: "boolean", description: "Print the check report (assay.runner.check_report.v0) as one JSON document on stdout" },
      quiet: { type: "boolean", description: "Only print errors" },
    },
    // A flag not given is no key at all: present it as undefined so the message names what is missing.
    run: ({ args }) => checkCommand(parseArgsWith(CheckArgsSchema, { ...args, baseline: args.baseline })),
  },
  {
    synopsis: "[OPTIONS] ARCHIVE --baseline FILE",
    examples: [
      "assay-runner check run.tar.gz --baseline .assay/baseline.json",
      "assay-runner check run.tar.gz --baseline .assay/baseline.json --sarif assay.sarif --json",
    ],
  },
);

// --- internal ---

// A terminal or a CI log shows the first findings; the documents carry all of them.
const SHOWN_FINDINGS = 50;

const CheckArgsSchema = v.looseObject({
  archive: v.pipe(v.string("an ARCHIVE to check is required"), v.minLength(1, "an ARCHIVE to check is required")),
  baseline: v.pipe(v.string("a baseline FILE is required"), v.minLength(1, "expected a file")),
  sarif: v.optional(v.pipe(v.string(), v.minLength(1, "expected a file"))),
  json: v.optional(v.boolean()),
  quiet: v.optional(v.boolean()),
});

async function checkCommand(args: v.InferOutput<typeof CheckArgsSchema>): Promise<number> {
  configureOutput(args);
  checkOutputFile("--sarif", args.sarif);
  const baseline = readBaselineFile(args.baseline);
  const projector = new PathProjector(compileReviewRules(baseline.rules, args.baseline));
  const run = await openProjectedRun(args.archive, projector);
  const report = checkRun(run, baseline);
  // Results and annotations point at the baseline, named as the repository knows it.
  const baselineUri = relative(process.env.GITHUB_WORKSPACE ?? process.cwd(), args.baseline)
    .split(sep)
    .join("/");
  if (args.sarif !== undefined) {
    writeOutputFile("--sarif", args.sarif, renderSarif(report, { baselineUri }));
  }
  if (process.env.GITHUB_ACTIONS === "true") {
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        appendFileSync(summaryFile, renderStepSummary(report, baselineUri));
      } catch (error) {
        throw new OutputFileError(`GITHUB_STEP_SUMMARY: cannot append to ${summaryFile}: ${(error as Error).message}`, { cause: error });
      }
    }
    // Workflow commands are read from stdout by the runner; with --json they would corrupt the document.
    const commands = renderWorkflowCommands(report, baselineUri);
    if (args.json) writeStderr(commands);
    else writeStdout(commands);
  }
  if (args.json) printJson(report);
  else {
    for (const f of report.findings.slice(0, SHOWN_FINDINGS)) logger.error(`${f.rule}: ${f.message}`);
    if (report.findings.length > SHOWN_FINDINGS)
      logger.error(`… and ${report.findings.length - SHOWN_FINDINGS} more findings (--json or --sarif lists them all)`);
    if (report.status === "inside")
      logger.success(
        `run ${report.run_id} is inside the baseline (${report.baseline_runs} runs; ${report.counts.paths} paths, ${report.counts.execs} programs, ${report.counts.endpoints} endpoints compared)`,
      );
    else logger.error(`run ${report.run_id}: ${report.findings.length} finding(s) outside the baseline ${args.baseline}`);
  }
  return report.status === "inside" ? 0 : 1;
}
