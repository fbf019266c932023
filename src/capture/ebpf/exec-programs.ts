// Execs: the entries of execve and execveat record the argv the caller passes (ARGV), and
// `sched_process_exec` the file that was executed (EXEC), only for execs that succeeded.
import {
  add,
  and,
  call,
  exit,
  fieldOffset,
  goTo,
  Helper,
  jump,
  label,
  load,
  loadFunction,
  lsh,
  mov,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R6,
  R7,
  R9,
  store,
  sub,
  syscallNumber,
  type Program,
  type TracepointFormat,
} from "../../bpf/index.ts";
import {
  argument,
  bump,
  emit,
  epilogue,
  fresh,
  nativeSyscall,
  output,
  prologue,
  scratchRecord,
  sessionFilter,
  setBit,
  Stack,
  syscallId,
  writeHeader,
} from "./_program-blocks.ts";
import { ARGV, ARGV_MAX_ARGS, ARGV_MAX_BYTES, Counter, EXEC, HEADER, HOOK_IDS, PATH_READ, RecordBit, RecordType } from "./record-layout.ts";

/**
 * The entry of execve and execveat, one program the raw `sys_enter` tail-calls: the arguments, up
 * to ARGV_MAX_ARGS and ARGV_MAX_BYTES. The syscall number tells which of the two it runs for (argv
 * is a different argument).
 */
export function argvProgram(): Program {
  const out = fresh("out");
  const mayHaveMore = fresh("argv_may_have_more");
  const cut = fresh("argv_cut");
  const unreadable = fresh("argv_unreadable");
  const done = fresh("argv_done");
  const state = Stack.LOOP_STATE;
  return [
    prologue(),
    sessionFilter(out),
    nativeSyscall(out),
    scratchRecord(R7, out),
    writeHeader(R7, 0, RecordType.ARGV, HOOK_IDS.exec),
    store("u64", R10, state + ArgvState.record, R7),
    argvPointer(),
    store("u64", R10, state + ArgvState.argv, R1),
    store("u64", R10, state + ArgvState.used, 0),
    store("u64", R10, state + ArgvState.count, 0),
    store("u64", R10, state + ArgvState.end, ArgvEnd.RUNNING),
    // one callback run per argument, through bpf_loop: the verifier walks the body once
    mov(R1, ARGV_MAX_ARGS),
    loadFunction(R2, ARGV_FUNCTION),
    mov(R3, R10),
    add(R3, state),
    mov(R4, 0),
    call(Helper.loop),
    load("u64", R1, R10, state + ArgvState.end),
    jump("jeq", R1, ArgvEnd.RUNNING, mayHaveMore),
    jump("jeq", R1, ArgvEnd.NULL, done),
    jump("jeq", R1, ArgvEnd.CUT, cut),
    goTo(unreadable),
    // every argument we keep was read: cut only if argv[ARGV_MAX_ARGS] is not the terminating NULL
    label(mayHaveMore),
    load("u64", R3, R10, state + ArgvState.argv),
    add(R3, ARGV_MAX_ARGS * 8),
    mov(R1, R10),
    add(R1, Stack.USER_POINTER),
    mov(R2, 8),
    call(Helper.probe_read_user),
    jump("jne", R0, 0, unreadable),
    load("u64", R1, R10, Stack.USER_POINTER),
    jump("jeq", R1, 0, done),
    label(cut),
    setBit(R7, RecordBit.CUT),
    bump(Counter.ARGV_CUT),
    goTo(done),
    label(unreadable),
    setBit(R7, RecordBit.UNREADABLE),
    label(done),
    load("u64", R1, R10, state + ArgvState.count),
    store("u32", R7, ARGV.count, R1),
    load("u64", R9, R10, state + ArgvState.used),
    jump("jgt", R9, ARGV_MAX_BYTES, out),
    store("u32", R7, HEADER.length, R9),
    mov(R2, R7),
    mov(R3, R9),
    add(R3, ARGV.strings),
    // not counted per hook (the exec hook counts EXEC records); a lost ARGV is counted apart
    output({ dropped: Counter.ARGV_DROPPED }),
    epilogue(out),
    argvFunction(),
  ];
}

/** The label of the argv callback (a subprogram the loader declares in BTF). */
export const ARGV_FUNCTION = "argv_one";

/** `sched_process_exec`: the executed file as the kernel resolved it. */
export function execProgram(format: TracepointFormat): Program {
  const out = fresh("out");
  const read = fresh("filename_read");
  const whole = fresh("filename_whole");
  const sized = fresh("filename_sized");
  return [
    prologue(),
    sessionFilter(out),
    scratchRecord(R7, out),
    writeHeader(R7, 0, RecordType.EXEC, HOOK_IDS.exec),
    load("u32", R1, R6, fieldOffset(format, "old_pid")),
    store("u32", R7, EXEC.oldPid, R1),
    // __data_loc: the low 16 bits are the string's offset in the tracepoint record
    load("u32", R3, R6, fieldOffset(format, "filename")),
    and(R3, 0xffff),
    add(R3, R6),
    mov(R1, R7),
    add(R1, EXEC.filename),
    mov(R2, PATH_READ),
    call(Helper.probe_read_kernel_str),
    jump("jsgt", R0, 0, read),
    setBit(R7, RecordBit.UNREADABLE),
    mov(R9, 0),
    goTo(sized),
    label(read),
    mov(R9, R0),
    jump("jgt", R9, PATH_READ, out),
    jump("jne", R9, PATH_READ, whole),
    setBit(R7, RecordBit.CUT),
    label(whole),
    label(sized),
    store("u32", R7, HEADER.length, R9),
    mov(R2, R7),
    mov(R3, R9),
    add(R3, EXEC.filename),
    emit(HOOK_IDS.exec),
    epilogue(out),
  ];
}

// --- internal ---

// R1 = the argv pointer of whichever of execve(filename, argv, envp) and
// execveat(dfd, filename, argv, envp, flags) the program runs for.
function argvPointer(): Program {
  const viaExecveat = fresh("argv_execveat");
  const loaded = fresh("argv_pointer");
  return [
    syscallId(R1),
    jump("jeq", R1, syscallNumber("execveat"), viaExecveat),
    argument(R1, 1),
    goTo(loaded),
    label(viaExecveat),
    argument(R1, 2),
    label(loaded),
  ];
}

/** The state bpf_loop hands the argv callback. */
const ArgvState = { record: 0, argv: 8, used: 16, count: 24, end: 32 } as const;
/** Why the argv walk ended. */
const ArgvEnd = { RUNNING: 0, NULL: 1, CUT: 2, UNREADABLE: 3 } as const;

// bpf_loop callback (R1 argument index, R2 the state): appends argv[index] to the record, or ends the walk.
function argvFunction(): Program {
  const ended = "argv_one_null";
  const cut = "argv_one_cut";
  const unreadable = "argv_one_unreadable";
  const stop = (end: number): Program => [store("u64", R6, ArgvState.end, end), mov(R0, 1), exit()];
  return [
    label(ARGV_FUNCTION),
    mov(R6, R2),
    load("u64", R3, R6, ArgvState.argv),
    lsh(R1, 3),
    add(R3, R1),
    mov(R1, R10),
    add(R1, -8),
    mov(R2, 8),
    call(Helper.probe_read_user),
    jump("jne", R0, 0, unreadable),
    load("u64", R3, R10, -8),
    jump("jeq", R3, 0, ended),
    load("u64", R9, R6, ArgvState.used),
    jump("jge", R9, ARGV_MAX_BYTES, cut),
    load("u64", R7, R6, ArgvState.record),
    mov(R1, R7),
    add(R1, ARGV.strings),
    add(R1, R9),
    mov(R2, ARGV_MAX_BYTES),
    sub(R2, R9),
    call(Helper.probe_read_user_str),
    jump("jsle", R0, 0, unreadable),
    add(R9, R0),
    store("u64", R6, ArgvState.used, R9),
    load("u64", R1, R6, ArgvState.count),
    add(R1, 1),
    store("u64", R6, ArgvState.count, R1),
    // a string that reached the end of the buffer may have been cut
    jump("jge", R9, ARGV_MAX_BYTES, cut),
    mov(R0, 0),
    exit(),
    label(ended),
    stop(ArgvEnd.NULL),
    label(cut),
    stop(ArgvEnd.CUT),
    label(unreadable),
    stop(ArgvEnd.UNREADABLE),
  ];
}
