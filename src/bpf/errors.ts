import { errnoSymbol } from "./errno.ts";

/** What failed while building, loading, attaching or reading eBPF. */
export type BpfErrorCode =
  | "BPF_UNAVAILABLE"
  | "BPF_MAP_CREATE_FAILED"
  | "BPF_MAP_OPERATION_FAILED"
  | "BPF_PROGRAM_REJECTED"
  | "BPF_ATTACH_FAILED"
  | "BPF_TRACEFS_MISSING"
  | "BPF_TRACEPOINT_MISSING"
  | "BPF_MMAP_FAILED";

/** A failed eBPF step: names the step and the errno; a verifier rejection carries the log's end. */
export class BpfError extends Error {
  override readonly name = "BpfError";
  constructor(
    readonly code: BpfErrorCode,
    /** The step, e.g. `BPF_PROG_LOAD open_enter`. */
    readonly step: string,
    /** The errno, 0 when the failure was not a syscall's. */
    readonly errno: number,
    message: string,
    /** The end of the verifier log, for BPF_PROGRAM_REJECTED. */
    readonly verifierLog?: string,
  ) {
    super(message);
  }
}

/** `E<NAME> (<n>)` for an errno, or the number alone when it is not one we name. */
export function errnoName(errno: number): string {
  const name = errnoSymbol(errno);
  return name === undefined ? `errno ${errno}` : `${name} (${errno})`;
}

/** A BpfError for a failed syscall step. */
export function syscallError(code: BpfErrorCode, step: string, errno: number, hint = ""): BpfError {
  return new BpfError(code, step, errno, `${step} failed: ${errnoName(errno)}${hint === "" ? "" : `: ${hint}`}`);
}
