// The syscall numbers the project uses, per architecture, in one table: those the toolkit calls
// through `syscall(2)` (bpf, perf_event_open) and those the capture hooks on the raw `sys_enter`
// tracepoint, which passes the number. Linux's syscall tables:
// arch/x86/entry/syscalls/syscall_64.tbl and the generic table arm64 uses.

/** The syscalls named here. */
export type SyscallName = "bpf" | "perf_event_open" | "execve" | "execveat" | "openat" | "openat2" | "open" | "creat" | "connect" | "sendto" | "sendmsg";

/** Numbers per Node.js architecture name; a syscall the architecture lacks (arm64: open, creat) is absent. */
const SYSCALL_NUMBERS: Readonly<Record<string, Readonly<Partial<Record<SyscallName, number>>>>> = {
  x64: { bpf: 321, perf_event_open: 298, execve: 59, execveat: 322, openat: 257, openat2: 437, open: 2, creat: 85, connect: 42, sendto: 44, sendmsg: 46 },
  arm64: { bpf: 280, perf_event_open: 241, execve: 221, execveat: 281, openat: 56, openat2: 437, connect: 203, sendto: 206, sendmsg: 211 },
};

/** `name`'s number on `arch`, or undefined where it has none (an architecture not listed has none). */
export function findSyscallNumber(name: SyscallName, arch: string = process.arch): number | undefined {
  return SYSCALL_NUMBERS[arch]?.[name];
}

/** `name`'s number on this architecture (throws where it has none: the engine cannot be built there). */
export function syscallNumber(name: SyscallName, arch: string = process.arch): number {
  const number = findSyscallNumber(name, arch);
  if (number === undefined) throw new Error(`no ${name} syscall number for ${arch}`);
  return number;
}
