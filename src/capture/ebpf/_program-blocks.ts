// Blocks shared by the capture programs. Register use, everywhere: R6 the tracepoint context (or
// a loop index once the context is read), R7 the per-CPU scratch record, R8 a user pointer,
// R9 a string length. R0–R5 are scratch (helper calls clobber them).
import {
  add,
  and,
  atomicAdd,
  call,
  exit,
  goTo,
  Helper,
  jump,
  label,
  load,
  loadMap,
  lookupAt,
  mov,
  or,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R6,
  R7,
  rsh,
  store,
  syscallRegisters,
  type Program,
  type Register,
} from "../../bpf/index.ts";
import { Counter, HEADER } from "./record-layout.ts";

/** Stack slots (offsets from R10), one purpose each. */
export const Stack = {
  /** A u32 map value (lineage marks). */
  LINEAGE_VALUE: -32,
  /** A thread or process id used as a map key. */
  ID_KEY: -40,
  COUNTER_KEY: -48,
  SCRATCH_KEY: -96,
  FILTER_KEY: -100,
  /** RETURN record (24 bytes). */
  RETURN_RECORD: -128,
  /** PEER record (40 bytes). */
  PEER_RECORD: -168,
  /** One user pointer read from an array (argv[i], msg_name). */
  USER_POINTER: -176,
  /** A syscall's return value, kept while its record is built. */
  RETURN_VALUE: -184,
  /** State handed to a bpf_loop callback (40 bytes). */
  LOOP_STATE: -224,
  /** A hook id read at run time (u32): one exit program serves several hooks. */
  HOOK: -232,
  /** Index of a dedupe cache slot (u32). */
  DEDUPE_SLOT: -240,
} as const;

/** A hook id: known when the program is built, or read at run time from a stack slot (u32). */
export type HookId = number | { readonly stack: number };

/** A counter index: a constant, or a hook id read from a stack slot plus `plus` (per-hook counters). */
export type CounterIndex = number | { readonly stack: number; readonly plus: number };

/** Names of the maps the programs use (created by the engine). */
export const MapName = {
  SESSION: "session",
  LINEAGE: "lineage",
  SCRATCH: "scratch",
  COUNTERS: "counters",
  PENDING: "pending",
  /** One u64: how many threads have an open in flight, so the exits of all others return at once. */
  PENDING_COUNT: "pending_count",
  /** One u32: the runner's own pid, never the session's (it joins the session for a moment to spawn the workload). */
  RUNNER: "runner",
  EVENTS: "events",
  /** One program: the open entries' path reading, dedupe and output, which they tail-call. */
  OPEN_PATH: "open_path",
  /** The program for each hooked syscall, by number: the raw `sys_enter` program tail-calls it. */
  SYSCALL_HANDLERS: "syscalls",
} as const;

/** A label unique within every program built in this process. */
export function fresh(name: string): string {
  labelSerial += 1;
  return `${name}_${labelSerial}`;
}

/** Program start: keep the context in R6. */
export function prologue(): Program {
  return [mov(R6, R1)];
}

/** R`dst` = the syscall number (the raw `sys_enter` context: pt_regs, then the number). */
export function syscallId(dst: Register): Program {
  return [load("u64", dst, R6, 8)];
}

/**
 * Falls through only for a native syscall: a 32-bit task's (its numbers name other syscalls) is
 * counted, and on to `out`. The mode sits in pt_regs (x64: the code segment, arm64: pstate).
 */
export function nativeSyscall(out: string): Program {
  const { mode } = registersHere();
  const native = fresh("native_syscall");
  return [
    load("u64", R1, R6, 0),
    load("u64", R1, R1, mode.at),
    and(R1, mode.mask),
    jump("jeq", R1, mode.native, native),
    bump(Counter.COMPAT_SYSCALLS),
    goTo(out),
    label(native),
  ];
}

/** R`dst` = syscall argument `index` (0–5), read from pt_regs (a BTF-typed context: plain loads, no helper call). */
export function argument(dst: Register, index: number): Program {
  const at = registersHere().args[index];
  if (at === undefined) throw new Error(`no syscall argument ${index}`);
  return [load("u64", dst, R6, 0), load("u64", dst, dst, at)];
}

/** Program end at `out`: return 0 (tracepoint programs' return value is ignored). */
export function epilogue(out: string): Program {
  return [label(out), mov(R0, 0), exit()];
}

/**
 * Falls through only for tasks in the session cgroup or below it, or forked from the session
 * (lineage), and never for the runner itself: it stands in the session for the moment it takes to
 * spawn the workload, and its other threads may do their own work meanwhile.
 */
export function sessionFilter(out: string, countRunner = false): Program {
  const inSession = fresh("in_session");
  const pass = fresh("session_task");
  return [
    // any task in the session cgroup or a cgroup below it, whoever put it there
    loadMap(R1, MapName.SESSION),
    mov(R2, 0),
    call(Helper.current_task_under_cgroup),
    jump("jeq", R0, 1, inSession),
    // or a process that descends from the session and moved out of it
    call(Helper.get_current_pid_tgid),
    rsh(R0, 32),
    store("u32", R10, Stack.FILTER_KEY, R0),
    lookupAt(MapName.LINEAGE, Stack.FILTER_KEY),
    jump("jeq", R0, 0, out),
    label(inSession),
    // but not the runner
    store("u32", R10, Stack.FILTER_KEY, 0),
    lookupAt(MapName.RUNNER, Stack.FILTER_KEY),
    jump("jeq", R0, 0, out),
    load("u32", R1, R0, 0),
    store("u32", R10, Stack.FILTER_KEY, R1),
    call(Helper.get_current_pid_tgid),
    rsh(R0, 32),
    load("u32", R1, R10, Stack.FILTER_KEY),
    // `countRunner` (the open handler alone): the runner's open inside the session proves the kernel
    // routes its syscalls, and so its workload's, to tracepoints (see captureLoss). A sched_*
    // program must not count: those fire for an untraced task too.
    countRunner ? [jump("jne", R0, R1, pass), bump(Counter.RUNNER_SEEN), goTo(out), label(pass)] : jump("jeq", R0, R1, out),
  ];
}

/** Scratch slots: tracepoint programs, and the two packet hooks (a softirq may interrupt either). */
export const ScratchSlot = { TRACEPOINT: 0, SENT: 1, RECEIVED: 2, COUNT: 3 } as const;

/** `dst` = this CPU's scratch record (8 KiB of map memory: the stack has 512 bytes). */
export function scratchRecord(dst: Register, out: string, slot: number = ScratchSlot.TRACEPOINT): Program {
  return [store("u32", R10, Stack.SCRATCH_KEY, slot), lookupAt(MapName.SCRATCH, Stack.SCRATCH_KEY), jump("jeq", R0, 0, out), mov(dst, R0)];
}

/** Writes a record header at `base + offset`: type, hook, no bits, tgid and tid, length 0. */
export function writeHeader(base: Register, offset: number, type: number, hook: HookId): Program {
  return [
    call(Helper.get_current_pid_tgid),
    store("u32", base, offset + HEADER.tid, R0),
    rsh(R0, 32),
    store("u32", base, offset + HEADER.tgid, R0),
    store("u8", base, offset + HEADER.type, type),
    storeHook("u8", base, offset + HEADER.hook, hook),
    store("u16", base, offset + HEADER.bits, 0),
    store("u32", base, offset + HEADER.length, 0),
  ];
}

/** Stores a hook id, `size` bytes at `base + offset`: a constant, or the u32 in its stack slot (through R1). */
export function storeHook(size: "u8" | "u32", base: Register, offset: number, hook: HookId): Program {
  return typeof hook === "number" ? [store(size, base, offset, hook)] : [load("u32", R1, R10, hook.stack), store(size, base, offset, R1)];
}

/** Sets `bit` in the header's bits of the record at `base`. */
export function setBit(base: Register, bit: number): Program {
  return [load("u16", R1, base, HEADER.bits), or(R1, bit), store("u16", base, HEADER.bits, R1)];
}

/** Adds one to a per-CPU counter (an index out of range counts nothing). */
export function bump(counter: CounterIndex): Program {
  const done = fresh("counted");
  return [
    typeof counter === "number"
      ? store("u32", R10, Stack.COUNTER_KEY, counter)
      : [load("u32", R1, R10, counter.stack), add(R1, counter.plus), store("u32", R10, Stack.COUNTER_KEY, R1)],
    lookupAt(MapName.COUNTERS, Stack.COUNTER_KEY),
    jump("jeq", R0, 0, done),
    load("u64", R1, R0, 0),
    add(R1, 1),
    store("u64", R0, 0, R1),
    label(done),
  ];
}

/**
 * Writes the record at R2, R3 bytes long, to the ring buffer. No room counts `dropped` and runs
 * `onDropped`; a record written counts `emitted`, when given, and runs `onSent`.
 */
export function output(counters: { readonly dropped: CounterIndex; readonly emitted?: CounterIndex }, onDropped: Program = [], onSent: Program = []): Program {
  const dropped = fresh("dropped");
  const done = fresh("output_done");
  return [
    loadMap(R1, MapName.EVENTS),
    mov(R4, 0),
    call(Helper.ringbuf_output),
    jump("jne", R0, 0, dropped),
    counters.emitted === undefined ? [] : bump(counters.emitted),
    onSent,
    goTo(done),
    label(dropped),
    bump(counters.dropped),
    onDropped,
    label(done),
  ];
}

/** `output` for a record of `hook`: counted as emitted or dropped per hook (the loss accounting). */
export function emit(hook: HookId, onDropped: Program = []): Program {
  if (typeof hook === "number") return output({ emitted: Counter.emitted(hook), dropped: Counter.dropped(hook) }, onDropped);
  // Per-hook counters sit at a fixed distance from their hook id.
  return output({ emitted: { stack: hook.stack, plus: Counter.emitted(0) }, dropped: { stack: hook.stack, plus: Counter.dropped(0) } }, onDropped);
}

/**
 * R0 = this thread's pending entry (task storage: one per thread, freed with it), made zeroed when
 * `create`; on to `none` when it has none (or none could be made).
 */
export function pendingEntry(create: boolean, none: string): Program {
  return [
    call(Helper.get_current_task_btf),
    mov(R2, R0),
    loadMap(R1, MapName.PENDING),
    mov(R3, 0),
    mov(R4, create ? TASK_STORAGE_CREATE : 0),
    call(Helper.task_storage_get),
    jump("jeq", R0, 0, none),
  ];
}

/** Adds `delta` (±1) to the count of threads with an open in flight, atomically (any CPU may add or remove). */
export function countPending(delta: 1 | -1): Program {
  const done = fresh("counted_pending");
  return [pendingCount(done), mov(R1, delta), atomicAdd("u64", R0, 0, R1), label(done)];
}

/**
 * Falls through only when some thread has a syscall in flight that its entry kept state for; the
 * exit of every other syscall on the host ends here. (A thread that dies inside such a syscall
 * leaves the count up: exits then only take the slower path.)
 */
export function anyPending(out: string): Program {
  return [pendingCount(out), load("u64", R1, R0, 0), jump("jeq", R1, 0, out)];
}

/** Zeroes `bytes` (a multiple of 8) of stack from `offset`. */
export function zeroStack(offset: number, bytes: number): Program {
  const out: Program[] = [];
  for (let at = offset; at < offset + bytes; at += 8) out.push([store("u64", R10, at, 0)]);
  return out;
}

/** Keeps the low 16 bits of a register (a mode). */
export const low16 = (register: Register) => and(register, 0xffff);

/** R7 is the scratch record in every program that uses one. */
export const RECORD = R7;
/** R3 carries a ring buffer write's size. */
export const SIZE = R3;

// --- internal ---

// R0 = the pending count's slot (jumps to `missing` if the map has none).
function pendingCount(missing: string): Program {
  return [store("u32", R10, Stack.COUNTER_KEY, 0), lookupAt(MapName.PENDING_COUNT, Stack.COUNTER_KEY), jump("jeq", R0, 0, missing)];
}

function registersHere() {
  const layout = syscallRegisters();
  if (layout === undefined) throw new Error(`no pt_regs layout for ${process.arch}`);
  return layout;
}

// BPF_LOCAL_STORAGE_GET_F_CREATE
const TASK_STORAGE_CREATE = 1;

let labelSerial = 0;
