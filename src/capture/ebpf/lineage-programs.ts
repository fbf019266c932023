// Lineage: children of session processes are remembered by pid, so a process that moves out of
// the session cgroup stays captured (over-capture of the workload's tree, never under-capture).
import {
  and,
  call,
  deleteAt,
  exit,
  fieldOffset,
  Helper,
  jump,
  label,
  load,
  mov,
  R0,
  R1,
  R10,
  R6,
  store,
  syscallTracepointFlag,
  updateAt,
  type Program,
  type TracepointFormat,
} from "../../bpf/index.ts";
import { bump, epilogue, fresh, MapName, prologue, sessionFilter, Stack } from "./_program-blocks.ts";
import { Counter } from "./record-layout.ts";

/** `sched_process_fork`: a child of a session process (or of a followed one) is followed. */
export function forkProgram(format: TracepointFormat): Program {
  const out = fresh("out");
  return [
    prologue(),
    sessionFilter(out),
    load("u32", R1, R6, fieldOffset(format, "child_pid")),
    store("u32", R10, Stack.ID_KEY, R1),
    store("u32", R10, Stack.LINEAGE_VALUE, 1),
    updateAt(MapName.LINEAGE, Stack.ID_KEY, Stack.LINEAGE_VALUE),
    jump("jeq", R0, 0, out),
    bump(Counter.LINEAGE_FULL),
    epilogue(out),
  ];
}

/**
 * `sched_process_exit` (raw, BTF-typed): an exiting thread is forgotten (its pid may be reused);
 * its pending entry goes with the thread. A session thread that ends without the flag routing its
 * syscalls to tracepoints is counted: it was forked while the host's first syscall tracepoint was
 * being attached, and none of its syscalls were seen (where the flag's place is known).
 */
export function exitProgram(): Program {
  const checked = fresh("checked");
  const flag = syscallTracepointFlag();
  const check: Program =
    flag === undefined
      ? []
      : [
          sessionFilter(checked),
          call(Helper.get_current_task_btf),
          load("u64", R1, R0, flag.at),
          and(R1, 1 << flag.bit),
          jump("jne", R1, 0, checked),
          bump(Counter.UNTRACED_TASKS),
        ];
  return [
    prologue(),
    check,
    label(checked),
    call(Helper.get_current_pid_tgid),
    store("u32", R10, Stack.ID_KEY, R0),
    deleteAt(MapName.LINEAGE, Stack.ID_KEY),
    mov(R0, 0),
    exit(),
  ];
}
