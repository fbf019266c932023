// The whole bun:ffi surface of the project: `syscall`, `ioctl`, `mmap`, `munmap`, `close` and
// errno from libc. bun:ffi is marked experimental, so nothing else reaches native code.
import { dlopen, ptr, read, toArrayBuffer, type Pointer } from "bun:ffi";
import { findSyscallNumber } from "./syscall-numbers.ts";

/** A failed libc call: the step that failed and its errno. */
export interface SyscallFailure {
  readonly ok: false;
  readonly errno: number;
}

/** A successful libc call with its non-negative result. */
export interface SyscallSuccess {
  readonly ok: true;
  readonly value: number;
}

/** Result of one libc call: never thrown, the caller names the step. */
export type SyscallResult = SyscallSuccess | SyscallFailure;

/** Whether this process can reach libc through bun:ffi (Linux x64 or arm64). */
export function hasLibc(): boolean {
  return process.platform === "linux" && findSyscallNumber("bpf") !== undefined && loadLibc() !== undefined;
}

/** `syscall(nr, a1…a5)`; pointers are passed as numbers from `addressOf`. */
export function rawSyscall(nr: number, a1: number, a2: number, a3: number, a4 = 0, a5 = 0): SyscallResult {
  const libc = requireLibc();
  const value = Number(libc.symbols.syscall(nr, a1, a2, a3, a4, a5));
  return value < 0 ? { ok: false, errno: errno(libc) } : { ok: true, value };
}

/** `ioctl(fd, request, arg)`. */
export function ioctl(fd: number, request: number, arg: number): SyscallResult {
  const libc = requireLibc();
  const value = libc.symbols.ioctl(fd, request, arg);
  return value < 0 ? { ok: false, errno: errno(libc) } : { ok: true, value };
}

/** `mmap(NULL, length, prot, MAP_SHARED, fd, offset)`; the value is the mapping's address. */
export function mmapShared(fd: number, length: number, writable: boolean, offset: number): SyscallResult {
  const libc = requireLibc();
  const PROT_READ = 1;
  const PROT_WRITE = 2;
  const MAP_SHARED = 1;
  const address = Number(libc.symbols.mmap(0, length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, offset));
  return address === -1 || address === 0 ? { ok: false, errno: errno(libc) } : { ok: true, value: address };
}

/** `munmap(address, length)`. */
export function munmap(address: number, length: number): void {
  requireLibc().symbols.munmap(address, length);
}

/** `close(fd)`; errors are ignored (the fd is gone either way). */
export function closeFd(fd: number): void {
  if (fd >= 0) requireLibc().symbols.close(fd);
}

/** The size of a memory page (ring buffers are mapped in pages). */
export function pageSize(): number {
  return requireLibc().symbols.getpagesize();
}

/** The address of a buffer's first byte, for attribute structs that hold pointers. */
export function addressOf(buffer: Uint8Array): number {
  return ptr(buffer);
}

/** A view of `length` bytes of native memory at `address` (no copy; valid while mapped). */
export function viewOf(address: number, length: number): ArrayBuffer {
  return toArrayBuffer(address as Pointer, 0, length);
}

// --- internal ---

type Libc = NonNullable<ReturnType<typeof openLibc>>;
let libcHandle: Libc | null | undefined;

function loadLibc(): Libc | undefined {
  if (libcHandle === undefined) {
    try {
      libcHandle = openLibc();
    } catch {
      libcHandle = null;
    }
  }
  return libcHandle ?? undefined;
}

function requireLibc(): Libc {
  const libc = loadLibc();
  if (libc === undefined) throw new Error("libc is not reachable through bun:ffi on this platform");
  return libc;
}

function openLibc() {
  return dlopen("libc.so.6", {
    syscall: { args: ["i64", "i64", "i64", "i64", "i64", "i64"], returns: "i64" },
    ioctl: { args: ["i32", "u64", "i64"], returns: "i32" },
    mmap: { args: ["i64", "u64", "i32", "i32", "i32", "i64"], returns: "i64" },
    munmap: { args: ["i64", "u64"], returns: "i32" },
    close: { args: ["i32"], returns: "i32" },
    getpagesize: { args: [], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
}

function errno(libc: Libc): number {
  const location = libc.symbols.__errno_location();
  return location === null ? 0 : read.i32(location, 0);
}
