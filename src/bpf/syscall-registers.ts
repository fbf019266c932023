// Where a syscall's arguments sit in the `struct pt_regs` the raw `sys_enter` tracepoint passes,
// per architecture (arch/x86/include/asm/ptrace.h, arch/arm64/include/asm/ptrace.h), and how to
// tell a native task's syscall from a 32-bit one, whose numbers mean other syscalls. Every
// offset is a u64 member (a BTF-typed program reads them with plain loads, which the verifier
// checks against the kernel's own struct).

/** Offsets in `pt_regs` of arguments 0–5, and the mode test. */
export interface SyscallRegisters {
  readonly args: readonly number[];
  /** A native (64-bit) syscall has `(pt_regs[at] as u64 & mask) == native`. */
  readonly mode: { readonly at: number; readonly mask: number; readonly native: number };
}

/** The layout for `arch` (a Node.js architecture name), or undefined where we have none. */
export function syscallRegisters(arch: string = process.arch): SyscallRegisters | undefined {
  return LAYOUTS[arch];
}

/**
 * Where a task says the kernel routes its syscalls to tracepoints: a u64 at `at` in
 * `task_struct` (x64: `thread_info.syscall_work`, thread_info being the struct's first member)
 * and the bit in it (`SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT`). Undefined where we do not know it
 * (arm64 keeps it in `thread_info.flags` or, with the generic entry code, `syscall_work`, by
 * kernel version).
 */
export function syscallTracepointFlag(arch: string = process.arch): { readonly at: number; readonly bit: number } | undefined {
  return arch === "x64" ? { at: 8, bit: 1 } : undefined;
}

// --- internal ---

const LAYOUTS: Readonly<Record<string, SyscallRegisters>> = {
  // di si dx r10 r8 r9; cs at 136 (the low 16 bits of a u64 since FRED), __USER_CS (0x33) for a 64-bit syscall
  x64: { args: [112, 104, 96, 56, 72, 64], mode: { at: 136, mask: 0xffff, native: 0x33 } },
  // regs[0..5]; pstate at 264, PSR_MODE32_BIT (0x10) set for an AArch32 task
  arm64: { args: [0, 8, 16, 24, 32, 40], mode: { at: 264, mask: 0x10, native: 0 } },
};
