import type { CheckReport } from "../schema/index.ts";
import { RULE_TEXT } from "./sarif.ts";

/** Renders the Markdown step summary of a check: verdict, counts, one table row per finding. */
export function renderStepSummary(report: CheckReport, baselineFile: string): string {
  const lines = [
    `## assay-runner check: ${report.status === "inside" ? "inside the baseline" : `${report.findings.length} finding${report.findings.length === 1 ? "" : "s"} outside the baseline`}`,
    "",
    `Run \`${report.run_id}\` (manifest \`${report.manifest_digest}\`) against \`${baselineFile}\` (${report.baseline_runs} reviewed run${report.baseline_runs === 1 ? "" : "s"}).`,
    `Compared ${report.counts.paths} paths (${report.counts.writes} written), ${report.counts.execs} programs, ${report.counts.endpoints} endpoints.`,
    "",
  ];
  if (report.findings.length > 0) {
    lines.push("| rule | subject | class | what |", "|---|---|---|---|");
    for (const f of report.findings.slice(0, SUMMARY_ROWS)) lines.push(`| \`${f.rule}\` | ${code(f.subject)} | ${f.class ?? ""} | ${cell(f.message)} |`);
    lines.push("");
    if (report.findings.length > SUMMARY_ROWS)
      lines.push(`… and ${report.findings.length - SUMMARY_ROWS} more: see the SARIF results or \`check --json\`.`, "");
  }
  return `${lines.join("\n")}\n`;
}

/** Renders one `::error` workflow command per finding (GitHub shows them as annotations on the baseline file). */
export function renderWorkflowCommands(report: CheckReport, baselineFile: string): string {
  const shown = report.findings.slice(0, ANNOTATIONS);
  const more = report.findings.length - shown.length;
  return shown
    .map((f) => `::${f.level} file=${property(baselineFile)},line=1,title=${property(`assay ${f.rule}: ${RULE_TEXT[f.rule].short}`)}::${data(f.message)}\n`)
    .join("")
    .concat(
      more > 0
        ? `::warning title=${property("assay-runner check")}::${data(`${more} more findings are not annotated; see the step summary or the SARIF results`)}\n`
        : "",
    );
}

// --- internal ---

// A step summary is limited to 1 MiB and GitHub shows a handful of annotations per step.
const SUMMARY_ROWS = 500;
const ANNOTATIONS = 50;

// Workflow command escaping, as @actions/core does it.
function data(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function property(text: string): string {
  return data(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("\n", " ").replaceAll("<", "&lt;");
}

function code(text: string): string {
  // A backtick inside the value needs a longer fence.
  const fence = text.includes("`") ? "``" : "`";
  return `${fence} ${cell(text)} ${fence}`;
}
