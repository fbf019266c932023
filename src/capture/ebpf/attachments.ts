// What the capture attaches where: `sched_process_fork` and `sched_process_exec` through perf
// events (read by their tracefs formats), the raw `sys_enter`, `sys_exit` and `sched_process_exit`
// tracepoints as BTF-typed programs, and the syscall handlers the `sys_enter` program tail-calls
// by syscall number.
import type { Program, SyscallName, TracepointFormat } from "../../bpf/index.ts";
import { ARGV_FUNCTION, argvProgram, execProgram } from "./exec-programs.ts";
import { exitProgram, forkProgram } from "./lineage-programs.ts";
import { syscallEnterProgram } from "./dispatch-program.ts";
import { openEnterProgram, openHooksHere, syscallExitProgram } from "./open-programs.ts";
import { peerEnterProgram } from "./peer-program.ts";

/** Sizes a program is built with, fixed for the host. */
export interface ProgramSizes {
  /** Slots per CPU in each dedupe cache. */
  readonly dedupeSlots: number;
}

/** A program attached to a tracepoint: `tracepoint` ones through a perf event and their format, `raw` ones BTF-typed (tp_btf). */
export type Attachment =
  | {
      readonly kind: "tracepoint";
      readonly category: string;
      readonly tracepoint: string;
      /** Short name for the program's kernel name. */
      readonly short: string;
      readonly build: (format: TracepointFormat) => Program;
    }
  | { readonly kind: "raw"; readonly tracepoint: string; readonly short: string; readonly build: () => Program };

/**
 * Every attachment, in attach order: lineage first, so forks are followed from the start; the
 * syscall exit before the entry, so no exit ever meets an entry made before it was attached.
 */
export const ATTACHMENTS: readonly Attachment[] = [
  { kind: "tracepoint", category: "sched", tracepoint: "sched_process_fork", short: "fork", build: forkProgram },
  { kind: "raw", tracepoint: "sched_process_exit", short: "exit", build: exitProgram },
  { kind: "raw", tracepoint: "sys_exit", short: "sys_out", build: syscallExitProgram },
  { kind: "raw", tracepoint: "sys_enter", short: "sys_in", build: syscallEnterProgram },
  { kind: "tracepoint", category: "sched", tracepoint: "sched_process_exec", short: "exec", build: execProgram },
];

/** A program the raw `sys_enter` program tail-calls for each of `syscalls` (those this architecture has). */
export interface SyscallHandler {
  readonly short: string;
  readonly syscalls: readonly SyscallName[];
  readonly build: () => Program;
  /** Labels of the program's subprograms (bpf_loop callbacks). */
  readonly subprograms?: readonly string[];
}

/** Every syscall the capture hooks, and its handler. */
export const SYSCALL_HANDLERS: readonly SyscallHandler[] = [
  { short: "open", syscalls: openHooksHere(), build: () => openEnterProgram() },
  { short: "connect", syscalls: ["connect"], build: () => peerEnterProgram("connect") },
  { short: "sendto", syscalls: ["sendto"], build: () => peerEnterProgram("sendto") },
  { short: "sendmsg", syscalls: ["sendmsg"], build: () => peerEnterProgram("sendmsg") },
  { short: "argv", syscalls: ["execve", "execveat"], build: () => argvProgram(), subprograms: [ARGV_FUNCTION] },
];
