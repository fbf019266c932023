// Syscall numbers the programs compare `__syscall_nr` with, where one program serves several
// syscall tracepoints (a tracepoint program cannot read the event id before it). Linux's
// syscall tables: arch/x86/entry/syscalls/syscall_64.tbl and the generic table arm64 uses.

/** The syscalls one shared program tells apart. */
export type SharedSyscall = "execveat" | "openat" | "openat2" | "open" | "creat";

/** Numbers per Node.js architecture name; a syscall the architecture lacks (arm64: open, creat) is absent. */
const SYSCALL_NUMBERS: Readonly<Record<string, Readonly<Partial<Record<SharedSyscall, number>>>>> = {
  x64: { execveat: 322, openat: 257, openat2: 437, open: 2, creat: 85 },
  arm64: { execveat: 281, openat: 56, openat2: 437 },
};

/** `name`'s number on this architecture (throws where it has none: the engine cannot be built there). */
export function syscallNumber(name: SharedSyscall, arch: string = process.arch): number {
  const number = SYSCALL_NUMBERS[arch]?.[name];
  if (number === undefined) throw new Error(`no ${name} syscall number for ${arch}`);
  return number;
}
