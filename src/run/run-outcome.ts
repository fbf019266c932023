import { formatDuration } from "./duration.ts";
import type { WorkloadEnd } from "./run-events.ts";
import type { RunSpec } from "./run-spec.ts";
import type { Interruption } from "./workload.ts";

// How a run ended, in the runner's terms: its exit code and the notes it adds about the ending.

/** The runner's exit code for a workload end (ARCHITECTURE "Exit codes of run"). */
export function exitCodeOf(end: WorkloadEnd, interruption: Interruption | undefined): number {
  if (interruption?.kind === "timeout") return 124;
  if (interruption?.kind === "signal") return 128 + (interruption.signal === "SIGINT" ? 2 : 15);
  if (end.exitCode !== null) return end.exitCode;
  if (end.signal !== null) return 128 + end.signal;
  return 1;
}

/** The notes we add after upstream's: what the runner did beyond upstream (ARCHITECTURE "Deliberate improvements"). */
export function runnerNotes(spec: Pick<RunSpec, "killGraceMs">, interruption: Interruption | undefined, descendantsKilled: boolean): string[] {
  const notes: string[] = [];
  if (interruption?.kind === "timeout") {
    notes.push(
      `run_timeout: --timeout ${formatDuration(interruption.afterMs)} fired; the session got SIGTERM, then cgroup.kill after kill_grace=${formatDuration(spec.killGraceMs)}`,
    );
  } else if (interruption?.kind === "signal") {
    notes.push(
      `runner_signal: ${interruption.signal} received; the session got SIGTERM, then cgroup.kill after kill_grace=${formatDuration(spec.killGraceMs)}`,
    );
  }
  if (descendantsKilled) {
    notes.push(`session_teardown: processes outlived the workload by kill_grace=${formatDuration(spec.killGraceMs)} and were killed with cgroup.kill`);
  }
  return notes;
}
