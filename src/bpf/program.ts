import { bpfCall, BpfCommand, newAttr, setObjectName, setPointer } from "./bpf-call.ts";
import type { SyscallResult } from "./libc.ts";
import { BpfError, errnoName } from "./errors.ts";
import { FunctionBtf } from "./btf.ts";
import { assembleWithLabels, mapsOf, type Program } from "./instruction.ts";
import type { BpfMap } from "./map.ts";
import { OwnedFd } from "./owned-fd.ts";

/** `enum bpf_prog_type` values we load. */
export const ProgramType = { TRACEPOINT: 5, CGROUP_SKB: 8, CGROUP_SOCK_ADDR: 18, TRACING: 26, SYSCALL: 31 } as const;

/** What to load. */
export interface ProgramSpec {
  /** Object name in the kernel (15 characters at most; `bpftool prog` shows it). */
  readonly name: string;
  readonly type: number;
  readonly instructions: Program;
  /** `enum bpf_attach_type`, for program types that need it at load. */
  readonly expectedAttachType?: number;
  /** The vmlinux BTF type a tracing program attaches to (`btf_trace_<tracepoint>` for a `tp_btf` program). */
  readonly attachBtfId?: number;
  /** `BPF_F_*` load flags (a syscall program must be sleepable). */
  readonly flags?: number;
  /** Labels where subprograms (bpf_loop callbacks) start; the kernel then needs BTF for each function. */
  readonly subprograms?: readonly string[];
}

// `union bpf_attr` for BPF_PROG_LOAD.
const LOAD = {
  type: 0,
  count: 4,
  instructions: 8,
  license: 16,
  logLevel: 24,
  logSize: 28,
  logBuffer: 32,
  flags: 44,
  name: 48,
  expectedAttachType: 68,
  btf: 72,
  funcInfoSize: 76,
  funcInfo: 80,
  funcInfoCount: 88,
  attachBtfId: 108,
} as const;
const FUNC_INFO_SIZE = 8;
const LICENSE = new TextEncoder().encode("GPL\0");
// The verifier log of a rejected program; only its end is shown, where the reason is.
const LOG_SIZE = 1 << 20;
const LOG_TAIL_LINES = 24;
const EAGAIN = 11;
/** How many more times a load the verifier gave up on for a signal is tried (libbpf: 5). */
export const INTERRUPTED_RETRIES = 5;

/** A loaded program; closing its fd (and every attachment's) unloads it. */
export class BpfProgram extends OwnedFd {
  private constructor(
    readonly name: string,
    fd: number,
  ) {
    super(fd);
  }

  /**
   * Assembles and loads a program (BPF_PROG_LOAD), resolving map names against `maps`. Loads
   * without a log first; a rejection is retried with the verifier log so the error can show it.
   */
  static load(spec: ProgramSpec, maps: ReadonlyMap<string, BpfMap>): BpfProgram {
    const fds = new Map<string, number>();
    for (const name of mapsOf(spec.instructions)) {
      const map = maps.get(name);
      if (map === undefined)
        throw new BpfError("BPF_PROGRAM_REJECTED", `BPF_PROG_LOAD ${spec.name}`, 0, `program ${spec.name} uses map ${name}, which was not created`);
      fds.set(name, map.fd);
    }
    const { bytes: code, labels } = assembleWithLabels(spec.instructions, fds);
    const functions = functionInfo(spec, labels);
    try {
      const first = loadUninterrupted(spec, code, functions, undefined);
      if (first.ok) return new BpfProgram(spec.name, first.value);
      const log = new Uint8Array(LOG_SIZE);
      const second = loadUninterrupted(spec, code, functions, log);
      if (second.ok) return new BpfProgram(spec.name, second.value);
      return rejected(spec, second.errno, log);
    } finally {
      functions?.btf.close();
    }
  }
}

// --- internal ---

interface FunctionInfo {
  readonly btf: FunctionBtf;
  readonly records: Uint8Array;
}

// One bpf_func_info { insn_off, type_id } per function, the main program first.
function functionInfo(spec: ProgramSpec, labels: ReadonlyMap<string, number>): FunctionInfo | undefined {
  const subprograms = spec.subprograms ?? [];
  if (subprograms.length === 0) return undefined;
  const starts = subprograms.map((name) => {
    const slot = labels.get(name);
    if (slot === undefined)
      throw new BpfError("BPF_PROGRAM_REJECTED", `BPF_PROG_LOAD ${spec.name}`, 0, `subprogram label ${name} is not in program ${spec.name}`);
    return slot;
  });
  const btf = FunctionBtf.load([spec.name, ...subprograms]);
  const records = new Uint8Array(FUNC_INFO_SIZE * (starts.length + 1));
  const view = new DataView(records.buffer);
  [0, ...starts].forEach((slot, i) => {
    view.setUint32(i * FUNC_INFO_SIZE, slot, true);
    view.setUint32(i * FUNC_INFO_SIZE + 4, btf.typeIds[i] ?? 0, true);
  });
  return { btf, records };
}

function rejected(spec: ProgramSpec, errno: number, log: Uint8Array): never {
  const tail = logTail(log);
  throw new BpfError(
    "BPF_PROGRAM_REJECTED",
    `BPF_PROG_LOAD ${spec.name}`,
    errno,
    `the kernel refused program ${spec.name} (${errnoName(errno)})${tail === "" ? "" : `; verifier log ends:\n${tail}`}`,
    tail,
  );
}

// The verifier gives up with EAGAIN when a signal arrives for the thread (a SIGTERM the runner
// handles, a profiler's tick): that is no verdict on the program, so the load is tried again.
function loadUninterrupted(spec: ProgramSpec, code: Uint8Array, functions: FunctionInfo | undefined, log: Uint8Array | undefined) {
  return retryInterrupted(() => loadOnce(spec, code, functions, log));
}

/** Calls `attempt` again while it fails with EAGAIN, at most `INTERRUPTED_RETRIES` more times. */
export function retryInterrupted(attempt: () => SyscallResult): SyscallResult {
  let result = attempt();
  for (let retry = 0; retry < INTERRUPTED_RETRIES && !result.ok && result.errno === EAGAIN; retry += 1) result = attempt();
  return result;
}

function loadOnce(spec: ProgramSpec, code: Uint8Array, functions: FunctionInfo | undefined, log: Uint8Array | undefined) {
  const { bytes, view } = newAttr();
  view.setUint32(LOAD.type, spec.type, true);
  view.setUint32(LOAD.count, code.length / 8, true);
  setPointer(view, LOAD.instructions, code);
  setPointer(view, LOAD.license, LICENSE);
  if (log !== undefined) {
    view.setUint32(LOAD.logLevel, 1, true);
    view.setUint32(LOAD.logSize, log.length, true);
    setPointer(view, LOAD.logBuffer, log);
  }
  setObjectName(bytes, LOAD.name, spec.name);
  view.setUint32(LOAD.expectedAttachType, spec.expectedAttachType ?? 0, true);
  view.setUint32(LOAD.flags, spec.flags ?? 0, true);
  view.setUint32(LOAD.attachBtfId, spec.attachBtfId ?? 0, true);
  if (functions !== undefined) {
    view.setUint32(LOAD.btf, functions.btf.fd, true);
    view.setUint32(LOAD.funcInfoSize, FUNC_INFO_SIZE, true);
    setPointer(view, LOAD.funcInfo, functions.records);
    view.setUint32(LOAD.funcInfoCount, functions.records.length / FUNC_INFO_SIZE, true);
  }
  return bpfCall(BpfCommand.PROG_LOAD, bytes);
}

function logTail(log: Uint8Array): string {
  const end = log.indexOf(0);
  const text = new TextDecoder().decode(log.subarray(0, end < 0 ? log.length : end));
  return text.trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
}
