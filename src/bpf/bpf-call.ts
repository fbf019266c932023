// The bpf(2) commands we use, each taking an attribute struct written field by field at the
// uapi's offsets (`union bpf_attr`, include/uapi/linux/bpf.h).
import { addressOf, rawSyscall, type SyscallResult } from "./libc.ts";
import { findSyscallNumber } from "./syscall-numbers.ts";

/** `enum bpf_cmd` values. */
export const BpfCommand = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  PROG_LOAD: 5,
  PROG_ATTACH: 8,
  PROG_DETACH: 9,
  PROG_TEST_RUN: 10,
  PROG_GET_NEXT_ID: 11,
  PROG_GET_FD_BY_ID: 13,
  OBJ_GET_INFO_BY_FD: 15,
  RAW_TRACEPOINT_OPEN: 17,
} as const;

/** Size of the attribute buffer we pass: larger than every struct we fill, zero beyond them. */
export const ATTR_SIZE = 144;

/** A zeroed attribute buffer with a little-endian view. */
export function newAttr(): { readonly bytes: Uint8Array; readonly view: DataView } {
  const bytes = new Uint8Array(ATTR_SIZE);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** Writes a pointer field (u64) of an attribute struct. */
export function setPointer(view: DataView, offset: number, buffer: Uint8Array | undefined): void {
  view.setBigUint64(offset, buffer === undefined || buffer.length === 0 ? 0n : BigInt(addressOf(buffer)), true);
}

/** Writes a NUL-padded object name (16 bytes, `[A-Za-z0-9_.]`) into an attribute struct. */
export function setObjectName(bytes: Uint8Array, offset: number, name: string): void {
  const clean = name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 15);
  for (let i = 0; i < clean.length; i += 1) bytes[offset + i] = clean.charCodeAt(i);
}

/** `bpf(command, attr, size)`. */
export function bpfCall(command: number, attr: Uint8Array): SyscallResult {
  const bpf = findSyscallNumber("bpf");
  if (bpf === undefined) return { ok: false, errno: 38 };
  return rawSyscall(bpf, command, addressOf(attr), attr.length);
}
