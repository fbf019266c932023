import * as v from "valibot";
import { ArchiveReadError, inspectArchive, type ArchiveSummary } from "../evidence/index.ts";
import { formatIssue } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { reportUnreadable, unreadableMessage } from "./_archive-input.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.inspect,
    args: {
      archive: { type: "positional", required: false, description: "Archive file (.tar.gz) or extracted archive directory", valueHint: "ARCHIVE|DIR" },
      json: { type: "boolean", description: "Print one JSON document on stdout instead of a summary on stderr" },
    },
    run: ({ args }) => inspectCommand(parseArgsWith(InspectArgsSchema, args)),
  },
  { synopsis: "[OPTIONS] ARCHIVE|DIR", examples: ["assay-runner inspect out/run_001.tar.gz --json"] },
);

// --- internal ---

const InspectArgsSchema = v.object({
  archive: v.pipe(v.string("an ARCHIVE or DIR to inspect is required"), v.minLength(1, "an ARCHIVE or DIR to inspect is required")),
  json: v.optional(v.boolean(), false),
});

type InspectCommandOptions = v.InferOutput<typeof InspectArgsSchema>;

async function inspectCommand(options: InspectCommandOptions): Promise<number> {
  configureOutput({});
  let summary: ArchiveSummary;
  try {
    summary = await inspectArchive(options.archive);
  } catch (error) {
    if (!(error instanceof ArchiveReadError)) throw error;
    if (options.json) printJson({ path: options.archive, readable: false, error: error.message });
    logger.error(error.message);
    return 2;
  }
  // Not read whole (not gzip, truncated, undecodable): unreadable, like a path that cannot be
  // opened; a summary of the part before the damage would claim what was never read.
  const unreadable = unreadableMessage(summary.issues, Object.keys(summary.bytes));
  if (unreadable !== undefined) return reportUnreadable(options.archive, unreadable, options.json);
  if (options.json) printJson(summary);
  else render(summary);
  return 0;
}

function render(s: ArchiveSummary): void {
  const lines: string[] = [];
  const exit = s.signal !== null ? `killed by signal ${s.signal}` : s.exitCode !== null ? `exit code ${s.exitCode}` : "exit unknown";
  lines.push(`archive   ${s.path} (${s.kind})`);
  lines.push(`run       ${s.runId ?? "?"}`);
  lines.push(`manifest  ${s.manifestDigest ?? "none"}`);
  lines.push(`command   ${s.command === null ? "?" : s.command.map(quote).join(" ")}${s.agentShim !== null ? `  (shim ${s.agentShim})` : ""}`);
  lines.push(`finished  ${exit}${s.elapsedMs !== null ? `, ${s.elapsedMs} ms` : ""}${s.success === null ? "" : s.success ? ", success" : ", failure"}`);
  lines.push(
    `health    ${
      s.health === null
        ? "unknown (no readable observation-health.json)"
        : Object.entries(s.health)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
    }`,
  );
  for (const note of s.notes) lines.push(`  note    ${note}`);
  lines.push(
    `rows      ${Object.entries(s.rows)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );
  if (s.surface !== null)
    lines.push(
      `surface   ${Object.entries(s.surface)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  lines.push(`redaction ${redactionLine(s)}`);
  for (const line of lines) logger.log(line);
  for (const issue of s.issues) logger.warn(formatIssue(issue));
}

// Only what the archive says: no record in a health file that was read means the producer wrote none.
function redactionLine(s: ArchiveSummary): string {
  if (s.redaction !== null) return JSON.stringify(s.redaction, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  if (s.health === null) return "unknown (no readable observation-health.json)";
  return "not recorded (the archive's producer wrote no redaction record)";
}

function quote(part: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(part) ? part : JSON.stringify(part);
}
