// Lineage: children of session processes are remembered by pid, so a process that moves out of
// the session cgroup stays captured (over-capture of the workload's tree, never under-capture).
import { add, call, fieldOffset, Helper, jump, load, loadMap, mov, R0, R1, R10, R2, R3, R4, R6, store, type Program, type TracepointFormat } from "../../bpf/index.ts";
import { bump, countPending, epilogue, fresh, MapName, prologue, sessionFilter, Stack } from "./_program-blocks.ts";
import { Counter } from "./record-layout.ts";

/** `sched_process_fork`: a child of a session process (or of a followed one) is followed. */
export function forkProgram(format: TracepointFormat): Program {
  const out = fresh("out");
  return [
    prologue(),
    sessionFilter(out),
    load("u32", R1, R6, fieldOffset(format, "child_pid")),
    store("u32", R10, Stack.ID_KEY, R1),
    store("u32", R10, Stack.DEDUPE_VALUE, 1),
    loadMap(R1, MapName.LINEAGE),
    mov(R2, R10),
    add(R2, Stack.ID_KEY),
    mov(R3, R10),
    add(R3, Stack.DEDUPE_VALUE),
    mov(R4, 0),
    call(Helper.map_update_elem),
    jump("jeq", R0, 0, out),
    bump(Counter.LINEAGE_FULL),
    epilogue(out),
  ];
}

/** `sched_process_exit`: an exiting thread is forgotten (its pid may be reused). */
export function exitProgram(): Program {
  const out = fresh("out");
  return [
    prologue(),
    call(Helper.get_current_pid_tgid),
    store("u32", R10, Stack.ID_KEY, R0),
    loadMap(R1, MapName.LINEAGE),
    mov(R2, R10),
    add(R2, Stack.ID_KEY),
    call(Helper.map_delete_elem),
    // a thread that dies inside an open leaves its entry behind
    loadMap(R1, MapName.PENDING),
    mov(R2, R10),
    add(R2, Stack.ID_KEY),
    call(Helper.map_delete_elem),
    jump("jne", R0, 0, out),
    countPending(-1),
    epilogue(out),
  ];
}
