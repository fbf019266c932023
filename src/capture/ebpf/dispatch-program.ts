// The raw `sys_enter` program: it runs for every syscall on the host, so it does one thing, a
// tail call to the handler in the syscall number's slot. A number with no handler (most of them)
// finds an empty slot and returns at once; the handler filters for the session.
import { call, exit, Helper, load, loadMap, mov, R0, R1, R2, R3, type Program } from "../../bpf/index.ts";
import { MapName } from "./_program-blocks.ts";

/** `sys_enter` (raw): tail call to `SYSCALL_HANDLERS[syscall number]`. */
export function syscallEnterProgram(): Program {
  return [
    // the raw context: pt_regs, then the syscall number; the handler gets the same context
    load("u64", R3, R1, 8),
    loadMap(R2, MapName.SYSCALL_HANDLERS),
    call(Helper.tail_call),
    mov(R0, 0),
    exit(),
  ];
}
