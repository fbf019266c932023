// Where a syscall's arguments sit in the `struct pt_regs` the raw `sys_enter` tracepoint passes,
// per architecture (arch/x86/include/asm/ptrace.h, arch/arm64/include/asm/ptrace.h), and how to
// tell a native task's syscall from a 32-bit one, whose numbers mean other syscalls.

/** A copy of part of `pt_regs`: the bytes read, where each argument sits in the copy, and the mode test. */
export interface SyscallRegisters {
  /** Byte ranges of `pt_regs` copied one after another into the copy. */
  readonly reads: readonly { readonly offset: number; readonly bytes: number }[];
  /** Offset in the copy of arguments 0–5. */
  readonly args: readonly number[];
  /** A native (64-bit) syscall has `(copy[at] as u64 & mask) == native`. */
  readonly mode: { readonly at: number; readonly mask: number; readonly native: number };
}

/** Bytes of the largest copy (the stack room a program keeps for it). */
export const SYSCALL_REGISTERS_BYTES = 88;

/** The layout for `arch` (a Node.js architecture name), or undefined where we have none. */
export function syscallRegisters(arch: string = process.arch): SyscallRegisters | undefined {
  return LAYOUTS[arch];
}

// --- internal ---

const LAYOUTS: Readonly<Record<string, SyscallRegisters>> = {
  // r10 at 56 … di at 112, then orig_ax, ip, cs at 136: one read of 88 bytes from r10 covers the
  // arguments (di si dx r10 r8 r9) and the code segment, __USER_CS (0x33) for a 64-bit syscall
  x64: { reads: [{ offset: 56, bytes: 88 }], args: [56, 48, 40, 0, 16, 8], mode: { at: 80, mask: 0xffff, native: 0x33 } },
  // regs[0..5] at 0, pstate at 264 (PSR_MODE32_BIT 0x10 set for an AArch32 task)
  arm64: {
    reads: [
      { offset: 0, bytes: 48 },
      { offset: 264, bytes: 8 },
    ],
    args: [0, 8, 16, 24, 32, 40],
    mode: { at: 48, mask: 0x10, native: 0 },
  },
};
