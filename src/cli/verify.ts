import * as v from "valibot";
import { ArchiveReadError, verifyArchive, type VerifyReport } from "../evidence/index.ts";
import { formatIssue } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { reportUnreadable, unreadableMessage } from "./_archive-input.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.verify,
    args: {
      archive: { type: "positional", required: false, description: "Archive file (.tar.gz) or extracted archive directory", valueHint: "ARCHIVE|DIR" },
      json: { type: "boolean", description: "Print one JSON report on stdout instead of messages on stderr" },
      quiet: { type: "boolean", description: "Print only problems, no success line" },
    },
    run: ({ args }) => verifyCommand(parseArgsWith(VerifyArgsSchema, args)),
  },
  { synopsis: "[OPTIONS] ARCHIVE|DIR", examples: ["assay-runner verify out/run_001.tar.gz --json"] },
);

// --- internal ---

const VerifyArgsSchema = v.object({
  archive: v.pipe(v.string("an ARCHIVE or DIR to verify is required"), v.minLength(1, "an ARCHIVE or DIR to verify is required")),
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

type VerifyCommandOptions = v.InferOutput<typeof VerifyArgsSchema>;

/** Issues printed before the rest is summarized; --json always carries every issue the verifier kept. */
const MAX_PRINTED_ISSUES = 50;

async function verifyCommand(options: VerifyCommandOptions): Promise<number> {
  configureOutput({ quiet: options.quiet });
  let report: VerifyReport;
  try {
    report = await verifyArchive(options.archive);
  } catch (error) {
    if (!(error instanceof ArchiveReadError)) throw error;
    if (options.json) printJson({ path: options.archive, valid: false, readable: false, error: error.message });
    logger.error(error.message);
    return 2;
  }
  const unreadable = unreadableMessage(
    report.issues,
    report.members.map((member) => member.name),
  );
  if (unreadable !== undefined) return reportUnreadable(options.archive, unreadable, options.json, { valid: false });
  if (options.json) printJson({ ...report, readable: true });
  else render(report);
  return report.valid ? 0 : 1;
}

function render(report: VerifyReport): void {
  if (report.valid) {
    logger.success(`${report.path}: valid archive of run ${report.runId ?? "?"} (${report.members.length} members, manifest ${report.manifestDigest ?? "?"})`);
    return;
  }
  for (const issue of report.issues.slice(0, MAX_PRINTED_ISSUES)) logger.error(formatIssue(issue));
  const more = report.issues.length - MAX_PRINTED_ISSUES;
  if (more > 0) logger.error(`… and ${more} more issues (use --json for all)`);
  const members = [...new Set(report.issues.map((issue) => issue.member).filter((m): m is string => m !== undefined))];
  logger.error(
    `${report.path}: INVALID — ${report.issues.length} issue${report.issues.length === 1 ? "" : "s"}${members.length > 0 ? ` in ${members.join(", ")}` : ""}`,
  );
}
