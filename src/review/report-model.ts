import { fidelityVerdict, type MemberBytes } from "../compare/index.ts";
import { compareCodePoints } from "../evidence/index.ts";
import type { CheckReport } from "../schema/index.ts";
import type { ProjectedRun } from "./project-run.ts";

/** One program a process executed, in kernel order, with its argv when the backend recorded it (redacted by the runner). */
export interface ReportExec {
  readonly seq: number;
  readonly pid: number;
  readonly program: string;
  readonly argv: readonly string[] | null;
  readonly argvTruncated: boolean;
}

/** Everything the HTML report shows, as plain data (embedded in the page as JSON). */
export interface ReportModel {
  readonly runId: string;
  readonly manifestDigest: string;
  readonly source: string;
  /** The workload's command line as recorded (already redacted by the runner). */
  readonly command: readonly string[];
  readonly exit: string;
  readonly health: Readonly<Record<string, string>>;
  readonly healthNotes: readonly string[];
  readonly verdict: string;
  readonly claimGate: Readonly<Record<string, string>>;
  readonly execs: readonly ReportExec[];
  /** [projected path, class, written (1) or not (0)], writes first, then by class and path. */
  readonly paths: readonly (readonly [string, string, 0 | 1])[];
  /** [endpoint, class]. */
  readonly endpoints: readonly (readonly [string, string])[];
  readonly sdk: readonly Readonly<Record<string, unknown>>[];
  readonly policy: readonly Readonly<Record<string, unknown>>[];
  readonly correlation: Readonly<Record<string, unknown>> | null;
  /** What the findings were computed against, or null when there is nothing to compare. */
  readonly comparedWith: string | null;
  readonly check: CheckReport | null;
}

/** Gathers the report's data from a projected run, its members, and an optional check result. */
export function buildReportModel(run: ProjectedRun, member: MemberBytes, check: CheckReport | null, comparedWith: string | null): ReportModel {
  const events = ndjson(member("events.ndjson"));
  const started = events.find((e) => e.type === "run_started");
  const finished = events.find((e) => e.type === "run_finished");
  const health = (run.evidence.healthJson ?? {}) as Record<string, unknown>;
  const verdict = fidelityVerdict(run.evidence.healthJson);
  const execs: ReportExec[] = [];
  for (const row of ndjsonFiltered(member("layers/kernel.ndjson"), '"kind":"exec"')) {
    if (row.kind !== "exec" || typeof row.value !== "string") continue;
    const argv = Array.isArray(row.argv) ? row.argv.map(String) : null;
    execs.push({ seq: Number(row.seq), pid: Number(row.pid), program: row.value, argv, argvTruncated: row.argv_truncated === true });
  }
  const paths = [...run.paths].map(([value, p]) => [value, p.pathClass, p.write ? 1 : 0] as const);
  paths.sort((a, b) => b[2] - a[2] || compareCodePoints(a[1], b[1]) || compareCodePoints(a[0], b[0]));
  const correlation = json(member("correlation-report.json"));
  return {
    runId: run.evidence.runId,
    manifestDigest: run.evidence.manifestDigest,
    source: run.evidence.source,
    command: Array.isArray(started?.command) ? started.command.map(String) : [],
    exit: finished === undefined ? "unknown" : finished.signal != null ? `signal ${String(finished.signal)}` : `exit ${String(finished.exit_code)}`,
    health: Object.fromEntries(
      Object.entries(health)
        .filter(([k, v]) => k !== "notes" && k !== "schema" && k !== "run_id" && typeof v !== "object")
        .map(([k, v]) => [k, String(v)]),
    ),
    healthNotes: Array.isArray(health.notes) ? health.notes.map(String) : [],
    verdict: verdict.verdict,
    claimGate: { ...verdict.claim_gate },
    execs,
    paths,
    endpoints: [...run.endpoints].sort((a, b) => compareCodePoints(a[0], b[0])),
    sdk: ndjson(member("layers/sdk.ndjson")),
    policy: ndjson(member("layers/policy.ndjson")),
    correlation: typeof correlation === "object" && correlation !== null ? (correlation as Record<string, unknown>) : null,
    comparedWith,
    check,
  };
}

// --- internal ---

const DECODER = new TextDecoder();

function json(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(DECODER.decode(bytes));
  } catch {
    return undefined;
  }
}

function ndjson(bytes: Uint8Array | undefined): Record<string, unknown>[] {
  return ndjsonFiltered(bytes, "");
}

// Rows whose text holds `needle` (the kernel layer of a big run is mostly opens the process list skips).
function ndjsonFiltered(bytes: Uint8Array | undefined, needle: string): Record<string, unknown>[] {
  if (bytes === undefined) return [];
  const rows: Record<string, unknown>[] = [];
  for (const line of DECODER.decode(bytes).split("\n")) {
    if (line === "" || (needle !== "" && !line.includes(needle))) continue;
    try {
      const row: unknown = JSON.parse(line);
      if (typeof row === "object" && row !== null && !Array.isArray(row)) rows.push(row as Record<string, unknown>);
    } catch {
      // Hint: the report shows what it can read; `verify` is the tool that names a broken row.
    }
  }
  return rows;
}
