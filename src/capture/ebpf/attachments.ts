// What the capture attaches where: every tracepoint, the program built for it, and which
// attachments share one loaded program.
import { BpfError, fieldOffset, type Program, type TracepointFormat } from "../../bpf/index.ts";
import { ARGV_FUNCTION, argvProgram, argvProgramKey, execProgram } from "./exec-programs.ts";
import { exitProgram, forkProgram } from "./lineage-programs.ts";
import { connectExitProgram, OPEN_HOOKS, openEnterProgram, openEnterProgramKey, openExitProgram, type OpenHook } from "./open-programs.ts";
import { peerEnterProgram, type PeerHook } from "./peer-program.ts";

/** One tracepoint and the program attached to it. */
export interface Attachment {
  readonly category: string;
  readonly tracepoint: string;
  /** Short name for the program's kernel name. */
  readonly short: string;
  /** Builds the program from this tracepoint's format (`formatOf` reads another's, same category). */
  readonly build: (format: TracepointFormat, formatOf: FormatOf, sizes: ProgramSizes) => Program;
  /** Labels of the program's subprograms (bpf_loop callbacks). */
  readonly subprograms?: readonly string[];
  /** Absent on some architectures (arm64 has no open or creat). */
  readonly optional?: boolean;
  /**
   * Attachments whose keys are equal share one loaded program: the key names all that the program
   * is built from, so equal keys build equal programs (each program loaded costs ~0.6 ms of arming).
   */
  readonly shareKey?: (format: TracepointFormat, formatOf: FormatOf) => string;
}

/** Reads the format of another tracepoint of the same category; undefined when this kernel has none. */
export type FormatOf = (tracepoint: string) => TracepointFormat | undefined;

/** Sizes a program is built with, fixed for the host. */
export interface ProgramSizes {
  /** Slots per CPU in each dedupe cache. */
  readonly dedupeSlots: number;
}

/** Every attachment of the capture, in attach order (lineage first, so forks are followed from the start). */
export const ATTACHMENTS: readonly Attachment[] = [
  { category: "sched", tracepoint: "sched_process_fork", short: "fork", build: forkProgram },
  { category: "sched", tracepoint: "sched_process_exit", short: "exit", build: () => exitProgram() },
  ...openPair("openat", "opat"),
  ...openPair("openat2", "opat2"),
  ...openPair("open", "open", true),
  ...openPair("creat", "creat", true),
  ...(["connect", "sendto", "sendmsg"] as const).map((hook) => peer(hook)),
  { category: "syscalls", tracepoint: "sys_exit_connect", short: "conn_out", build: connectExitProgram },
  argvAttachment("sys_enter_execve", "argv"),
  argvAttachment("sys_enter_execveat", "argvat"),
  { category: "sched", tracepoint: "sched_process_exec", short: "exec", build: execProgram },
];

// --- internal ---

function openPair(hook: OpenHook, short: string, optional = false): Attachment[] {
  return [
    // one entry program for the open-like hooks whose records are as long (openat, openat2): it
    // tells them apart by the syscall number (the kernel refuses to attach a program that reads
    // past the end of a tracepoint's record, so the shorter open and creat have their own)
    {
      category: "syscalls",
      tracepoint: `sys_enter_${hook}`,
      short: `${short}_in`,
      build: (format, formatOf) => openEnterProgram(openEnterFormats(format, formatOf)),
      optional,
      shareKey: (format, formatOf) => openEnterProgramKey(openEnterFormats(format, formatOf)),
    },
    // one exit program for every open-like hook: it reads the hook its entry noted
    {
      category: "syscalls",
      tracepoint: `sys_exit_${hook}`,
      short: `${short}_out`,
      build: (format, _formatOf, sizes) => openExitProgram(format, sizes.dedupeSlots),
      optional,
      shareKey: (format) => `open_exit:${fieldOffset(format, "ret")}`,
    },
  ];
}

// The entry formats of the open-like hooks this kernel has whose records end where `own`'s does.
function openEnterFormats(own: TracepointFormat, formatOf: FormatOf): Map<OpenHook, TracepointFormat> {
  const formats = new Map<OpenHook, TracepointFormat>();
  for (const hook of OPEN_HOOKS) {
    const format = formatOf(`sys_enter_${hook}`);
    if (format !== undefined && recordEnd(format) === recordEnd(own)) formats.set(hook, format);
  }
  return formats;
}

function recordEnd(format: TracepointFormat): number {
  return Math.max(...[...format.fields.values()].map((field) => field.offset + field.size));
}

// A tracepoint every kernel the engine runs on has (the probe checks them).
function requiredFormat(formatOf: FormatOf, tracepoint: string): TracepointFormat {
  const format = formatOf(tracepoint);
  if (format === undefined) throw new BpfError("BPF_UNAVAILABLE", `tracepoint ${tracepoint}`, 0, `this kernel has no tracepoint ${tracepoint}`);
  return format;
}

// execve and execveat share one argv program: it tells the two apart by the syscall number.
function argvAttachment(tracepoint: "sys_enter_execve" | "sys_enter_execveat", short: string): Attachment {
  const formats = (format: TracepointFormat, formatOf: FormatOf) =>
    tracepoint === "sys_enter_execve"
      ? ([format, requiredFormat(formatOf, "sys_enter_execveat")] as const)
      : ([requiredFormat(formatOf, "sys_enter_execve"), format] as const);
  return {
    category: "syscalls",
    tracepoint,
    short,
    build: (format, formatOf) => argvProgram(...formats(format, formatOf)),
    subprograms: [ARGV_FUNCTION],
    shareKey: (format, formatOf) => argvProgramKey(...formats(format, formatOf)),
  };
}

function peer(hook: PeerHook): Attachment {
  return { category: "syscalls", tracepoint: `sys_enter_${hook}`, short: hook, build: (format) => peerEnterProgram(hook, format) };
}
