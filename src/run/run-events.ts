import { canonicalJson, sortUnique } from "../evidence/index.ts";
import { EVENT_SCHEMA } from "../schema/index.ts";

/** How the workload ended, as `run_finished` records it. */
export interface WorkloadEnd {
  /** The exit code, or null when a signal killed it. */
  readonly exitCode: number | null;
  /** The signal number that killed it, or null. */
  readonly signal: number | null;
}

/** The `run_started` row of events.ndjson (§2.2), with its newline; env values never appear. */
export function runStartedLine(input: {
  readonly runId: string;
  readonly agentShim: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}): string {
  return `${canonicalJson({
    schema: EVENT_SCHEMA,
    run_id: input.runId,
    seq: 0,
    type: "run_started",
    agent_shim: input.agentShim,
    command: [...input.command],
    env_keys: sortUnique(Object.keys(input.env)),
    window_elapsed_ms: 0,
  })}\n`;
}

/** The `run_finished` row of events.ndjson (§2.2), with its newline. */
export function runFinishedLine(input: { readonly runId: string; readonly end: WorkloadEnd; readonly elapsedMs: number }): string {
  return `${canonicalJson({
    schema: EVENT_SCHEMA,
    run_id: input.runId,
    seq: 1,
    type: "run_finished",
    exit_code: input.end.exitCode,
    signal: input.end.signal,
    // Rust's ExitStatus::success(): exit code 0 and nothing else.
    success: input.end.exitCode === 0,
    window_elapsed_ms: Math.max(0, Math.floor(input.elapsedMs)),
  })}\n`;
}
