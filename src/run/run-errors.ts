/** Machine codes of errors thrown by the run pipeline. */
export type RunErrorCode =
  | "OUTPUT_UNWRITABLE"
  | "WORKLOAD_NOT_FOUND"
  | "SPAWN_FAILED"
  | "LOG_UNREADABLE"
  | "LOG_INVALID"
  | "CAPTURE_UNAVAILABLE"
  | "SESSION_REQUIRED"
  | "PLATFORM_UNSUPPORTED"
  | "INTERRUPTED_BEFORE_START"
  | "EGRESS_POLICY_INVALID"
  | "EGRESS_UNAVAILABLE";

/** Bad input to a run (output path, workload, logs): exit 2, and no archive is written. */
export class RunInputError extends Error {
  override readonly name = "RunInputError";
  readonly exitCode = 2;
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly file?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The host cannot do what the run asked for (capture backend, cgroup, platform): exit 40, nothing was run. */
export class RunHostError extends Error {
  override readonly name = "RunHostError";
  readonly exitCode = 40;
  constructor(
    readonly code: RunErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The runner was told to stop (SIGINT/SIGTERM) before the workload started: nothing was run, no archive. */
export class RunInterruptedError extends Error {
  override readonly name = "RunInterruptedError";
  readonly code = "INTERRUPTED_BEFORE_START";
  readonly exitCode: number;
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`${signal} received before the workload started; nothing was run and no archive was written`);
    this.exitCode = 128 + (signal === "SIGINT" ? 2 : 15);
  }
}
