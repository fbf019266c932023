/** Machine codes of errors thrown by the linux module. */
export type LinuxErrorCode =
  | "CGROUP2_NOT_MOUNTED"
  | "CGROUP_PARENT_NOT_FOUND"
  | "CGROUP_SESSION_CREATE_FAILED"
  | "CGROUP_JOIN_FAILED"
  | "CGROUP_SESSION_TEARDOWN_FAILED";

/** The host cannot give the run what it asked for (no cgroup v2, no permission); nothing was run. */
export class LinuxHostError extends Error {
  override readonly name = "LinuxHostError";
  readonly exitCode = 40;
  constructor(
    readonly code: LinuxErrorCode,
    message: string,
    readonly file?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
