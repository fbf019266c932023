// The open family: the entry reads the path, dedupes it in the kernel and emits an OPEN record;
// the exit adds the return value. A path the kernel could not read at entry (its page not yet
// faulted in) is read again at exit, after the syscall itself has touched it.
import {
  add,
  call,
  findSyscallNumber,
  goTo,
  Helper,
  jump,
  label,
  load,
  loadMap,
  mov,
  mov32,
  R0,
  R1,
  R10,
  R2,
  R3,
  R6,
  R7,
  R8,
  R9,
  store,
  syscallNumber,
  type Program,
  type Register,
} from "../../bpf/index.ts";
import {
  anyPending,
  argument,
  bump,
  countPending,
  emit,
  epilogue,
  fresh,
  low16,
  MapName,
  nativeSyscall,
  output,
  pendingEntry,
  prologue,
  scratchRecord,
  sessionFilter,
  setBit,
  Stack,
  storeHook,
  syscallId,
  type HookId,
  writeHeader,
  zeroStack,
} from "./_program-blocks.ts";
import { cachedOrKept, forgetKey } from "./dedupe-cache.ts";
import { Counter, DEDUPE_WINDOW, HEADER, HOOK_IDS, OPEN, OPEN_TAIL, PATH_READ, PENDING, PendingState, RecordBit, RecordType, RETURN } from "./record-layout.ts";

/** The open-like hooks. */
export const OPEN_HOOKS = ["openat", "openat2", "open", "creat"] as const;
export type OpenHook = (typeof OPEN_HOOKS)[number];

/**
 * The open-like syscalls' entry, one program the raw `sys_enter` tail-calls for each of their
 * numbers: session filter, arguments and the OPEN record's header, then a tail call to
 * `openPathProgram`. It tells the hooks apart by the syscall number.
 */
export function openEnterProgram(hooks: readonly OpenHook[] = openHooksHere()): Program {
  const out = fresh("out");
  const read = fresh("read_path");
  const hook = { stack: Stack.HOOK };
  const targets = hooks.map((name) => ({ name, target: fresh(`args_${name}`) }));
  if (targets.length === 0) throw new Error("openEnterProgram: no open-like syscall");
  return [
    prologue(),
    sessionFilter(out, true),
    nativeSyscall(out),
    scratchRecord(R7, out),
    syscallId(R1),
    targets.map(({ name, target }) => jump("jeq", R1, syscallNumber(name), target)),
    goTo(out),
    targets.map(({ name, target }) => [label(target), store("u32", R10, Stack.HOOK, HOOK_IDS[name]), openArguments(name), goTo(read)]),
    label(read),
    writeHeader(R7, 0, RecordType.OPEN, hook),
    store("u64", R7, OPEN_TAIL.pointer, R8),
    // the path's reading, dedupe and output are one program for every open-like syscall, verified
    // once: the verifier walks a program once per path through it
    mov(R1, R6),
    loadMap(R2, MapName.OPEN_PATH),
    mov(R3, 0),
    call(Helper.tail_call),
    // only an empty slot returns here, never once armed; counted all the same
    bump(Counter.OPEN_TAIL_CALL_FAILED),
    epilogue(out),
  ];
}

/** The open-like syscalls this architecture has (arm64 has no open or creat). */
export function openHooksHere(): OpenHook[] {
  return OPEN_HOOKS.filter((hook) => findSyscallNumber(hook) !== undefined);
}

/**
 * What every open entry tail-calls, with the OPEN record's header and arguments in the scratch
 * record and the path pointer past it: reads the path, dedupes it in the kernel (`dedupeSlots` per
 * CPU and tier) and emits the record. Reads nothing of the context, whichever tracepoint's it is.
 */
export function openPathProgram(dedupeSlots: number): Program {
  const out = fresh("out");
  const hook = { stack: Stack.HOOK };
  return [
    scratchRecord(R7, out),
    load("u8", R1, R7, HEADER.hook),
    store("u32", R10, Stack.HOOK, R1),
    load("u64", R8, R7, OPEN_TAIL.pointer),
    readHashEmit(hook, { dedupeSlots }, out),
    epilogue(out),
  ];
}

/**
 * The raw `sys_exit`, every syscall's: the return value for a record its entry sent (an OPEN, a
 * unix-socket connect's UNIX), or the whole OPEN for a path stashed at entry. The hook is the one
 * its entry noted: a thread's next exit after an entry is that syscall's own.
 */
export function syscallExitProgram(): Program {
  const out = fresh("out");
  const stashed = fresh("stashed");
  const hook = { stack: Stack.HOOK };
  return [
    prologue(),
    // only threads with a syscall in flight have an entry (no session filter needed); with none
    // at all (the common case, a repeated path ends at entry) the exit is one array read
    anyPending(out),
    pendingOfThread(out),
    load("u32", R1, R8, PENDING.hook),
    store("u32", R10, Stack.HOOK, R1),
    load("u32", R1, R8, PENDING.state),
    jump("jeq", R1, PendingState.STASHED, stashed),

    // the record went out at entry: send its return value
    sendReturn(hook),
    goTo(out),

    // the path could not be read at entry: build the whole record now
    label(stashed),
    scratchRecord(R7, out),
    writeHeader(R7, 0, RecordType.OPEN, hook),
    load("u64", R1, R8, PENDING.flags),
    store("u64", R7, OPEN.flags, R1),
    load("u64", R1, R8, PENDING.mode),
    store("u64", R7, OPEN.mode, R1),
    load("u64", R1, R8, PENDING.resolve),
    store("u64", R7, OPEN.resolve, R1),
    load("u64", R1, R6, EXIT_RETURN_VALUE),
    store("u64", R10, Stack.RETURN_VALUE, R1),
    store("u16", R7, HEADER.bits, RecordBit.HAS_RETURN),
    load("u64", R9, R8, PENDING.pointer),
    forgetPending(),
    mov(R8, R9),
    readHashEmit(hook, "exit", out),
    epilogue(out),
  ];
}

// --- internal ---

// R8 = this thread's pending entry, when one is in flight, or on to `out`.
function pendingOfThread(out: string): Program {
  return [pendingEntry(false, out), load("u32", R1, R0, PENDING.state), jump("jeq", R1, 0, out), mov(R8, R0)];
}

// Where the raw `sys_exit` context (pt_regs, then the return value) holds the return value.
const EXIT_RETURN_VALUE = 8;

// A RETURN record for the record the thread sent at entry (R6 the exit's context), then its entry goes.
function sendReturn(hook: HookId): Program {
  const record = Stack.RETURN_RECORD;
  return [
    zeroStack(record, RETURN.size),
    writeHeader(R10, record, RecordType.RETURN, hook),
    load("u64", R1, R6, EXIT_RETURN_VALUE),
    store("u64", R10, record + RETURN.returnValue, R1),
    mov(R2, R10),
    add(R2, record),
    mov(R3, RETURN.size),
    output({ dropped: Counter.RETURN_DROPPED }),
    forgetPending(),
  ];
}

// Fills flags, mode and resolve of the record in R7 and leaves the user path pointer in R8.
function openArguments(hook: OpenHook): Program {
  // openat(dfd, filename, flags, mode), openat2(dfd, filename, how, size), open(filename, flags, mode), creat(pathname, mode)
  const first = hook === "openat" || hook === "openat2" ? 1 : 0;
  const pathPointer = argument(R8, first);
  if (hook === "openat2") {
    // struct open_how { u64 flags, mode, resolve } has the record's own layout at OPEN.flags
    const read = fresh("how_read");
    return [
      argument(R3, first + 1),
      mov(R1, R7),
      add(R1, OPEN.flags),
      mov(R2, 24),
      call(Helper.probe_read_user),
      jump("jeq", R0, 0, read),
      store("u64", R7, OPEN.flags, 0),
      store("u64", R7, OPEN.mode, 0),
      store("u64", R7, OPEN.resolve, 0),
      label(read),
      pathPointer,
    ];
  }
  const flags: Program =
    hook === "creat"
      ? // creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode)
        [store("u64", R7, OPEN.flags, 0o1101)]
      : [argument(R1, first + 1), mov32(R1, R1), store("u64", R7, OPEN.flags, R1)];
  const mode = hook === "creat" ? first + 1 : first + 2;
  return [flags, argument(R1, mode), low16(R1), store("u64", R7, OPEN.mode, R1), store("u64", R7, OPEN.resolve, 0), pathPointer];
}

// Reads the path at R8 into the record in R7, dedupes (flags, path) and emits the record. At
// entry a path that cannot be read yet is stashed for the exit; at exit it is counted as
// unreadable. The exit sends a path it read without the dedupe: such paths are rare (a page not
// yet faulted in), user space dedupes exactly, and the exit program stays a fifth of the size.
function readHashEmit(id: HookId, at: { readonly dedupeSlots: number } | "exit", out: string): Program {
  const notRead = fresh("not_read");
  const whole = fresh("whole");
  const send = fresh("send");
  const entry = at !== "exit";
  const dedupeSlots = entry ? at.dedupeSlots : 0;
  return [
    // a zeroed window, so a short path and the zeros after it are an exact dedupe key
    entry ? zeroRecord(R7, OPEN.path, DEDUPE_WINDOW) : [],
    mov(R1, R7),
    add(R1, OPEN.path),
    mov(R2, PATH_READ),
    mov(R3, R8),
    call(Helper.probe_read_user_str),
    jump("jsle", R0, 0, notRead),
    mov(R9, R0),
    jump("jgt", R9, PATH_READ, out),
    jump("jne", R9, PATH_READ, whole),
    // the string filled the buffer: longer than PATH_MAX, so the kernel refuses it; flagged, never silent
    setBit(R7, RecordBit.CUT),
    label(whole),
    store("u32", R7, HEADER.length, R9),
    entry
      ? [
          // longer paths are rare and not deduplicated here: every attempt is sent, user space dedupes exactly
          jump("jgt", R9, DEDUPE_WINDOW, send),
          // the first attempt of a (flags, path) pair is recorded, failed or not; a repeat this CPU's cache holds ends here
          cachedOrKept(dedupeSlots, out, send),
        ]
      : [],

    label(send),
    entry ? [store("u64", R7, OPEN.returnValue, 0)] : [load("u64", R1, R10, Stack.RETURN_VALUE), store("u64", R7, OPEN.returnValue, R1)],
    mov(R2, R7),
    mov(R3, R9),
    add(R3, OPEN.path),
    // a record the buffer had no room for forgets its key, so a later attempt is still recorded
    entry ? emit(id, [forgetKey(dedupeSlots), goTo(out)]) : emit(id),
    entry ? rememberPending(PendingState.EMITTED, id) : [],
    goTo(out),

    label(notRead),
    entry ? rememberPending(PendingState.STASHED, id) : bump(Counter.PATH_UNREADABLE),
    goTo(out),
  ];
}

// Zeroes `bytes` of the record from `base + offset`.
function zeroRecord(base: Register, offset: number, bytes: number): Program {
  const out: Program[] = [];
  for (let at = 0; at < bytes; at += 8) out.push([store("u64", base, offset + at, 0)]);
  return out;
}

/** This thread's pending entry = { state, hook, pointer (R8), flags, mode, resolve } for the exit program (R7 the record). */
export function rememberPending(state: number, hook: HookId): Program {
  const done = fresh("pending_kept");
  const full = fresh("pending_full");
  return [
    pendingEntry(true, full),
    store("u32", R0, PENDING.state, state),
    storeHook("u32", R0, PENDING.hook, hook),
    store("u64", R0, PENDING.pointer, R8),
    load("u64", R1, R7, OPEN.flags),
    store("u64", R0, PENDING.flags, R1),
    load("u64", R1, R7, OPEN.mode),
    store("u64", R0, PENDING.mode, R1),
    load("u64", R1, R7, OPEN.resolve),
    store("u64", R0, PENDING.resolve, R1),
    countPending(1),
    goTo(done),
    label(full),
    bump(Counter.PENDING_FULL),
    label(done),
  ];
}

// The entry at R8 is done with.
function forgetPending(): Program {
  return [store("u32", R8, PENDING.state, 0), countPending(-1)];
}
