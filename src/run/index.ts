export { executeRun, exitCodeOf, runnerNotes, type RunIo, type RunProgress, type RunResult, type RunTimings } from "./execute-run.ts";
export {
  buildRunSpec,
  CAPTURE_REQUESTS,
  DEFAULT_KERNEL_DRAIN_MS,
  DEFAULT_KILL_GRACE_MS,
  newRunId,
  REDACT_MODES,
  REDACTION_KEY_SOURCES,
  RunOptionsSchema,
  type RunOptions,
  type RunSpec,
  type RunSpecResult,
} from "./run-spec.ts";
export { formatDuration, parseDuration } from "./duration.ts";
export { buildChildEnv, SCRUBBED_ENV_KEYS } from "./child-env.ts";
export { readRunnerEnvironment } from "./runner-env.ts";
export { runFinishedLine, runStartedLine, type WorkloadEnd } from "./run-events.ts";
export { buildCorrelationReport } from "./correlation.ts";
export { buildObservationHealth, CONTRACT_ONLY_NOTE, type KernelHealthPart, type ObservationHealthDocument } from "./observation-health.ts";
export { buildCapabilitySurface, collectSurfaceSets, type SurfaceSets } from "./capability-surface.ts";
export { superviseWorkload, type Interruption, type WorkloadOptions, type WorkloadOutcome } from "./workload.ts";
export { RunHostError, RunInputError, RunInterruptedError, type RunErrorCode } from "./run-errors.ts";
export { dnsKernelRecords, dnsCaptureNote, withDnsRows } from "./dns-evidence.ts";
