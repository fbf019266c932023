// The smallest BTF the kernel needs to accept a program with subprograms (callbacks for
// bpf_loop): one `int`, one prototype, one FUNC per function (include/uapi/linux/btf.h).
import { bpfCall, newAttr, setPointer } from "./bpf-call.ts";
import { syscallError } from "./errors.ts";
import { OwnedFd } from "./owned-fd.ts";

/** Loaded BTF describing a program's functions; its fd goes into BPF_PROG_LOAD. */
export class FunctionBtf extends OwnedFd {
  private constructor(
    fd: number,
    /** BTF type id of each function, in the order given. */
    readonly typeIds: readonly number[],
  ) {
    super(fd);
  }

  /** Builds and loads (BPF_BTF_LOAD) BTF with one static FUNC per name. */
  static load(functionNames: readonly string[]): FunctionBtf {
    const blob = functionBtf(functionNames);
    const { bytes, view } = newAttr();
    setPointer(view, BTF_LOAD.data, blob);
    view.setUint32(BTF_LOAD.size, blob.length, true);
    const result = bpfCall(BPF_BTF_LOAD, bytes);
    if (!result.ok) throw syscallError("BPF_PROGRAM_REJECTED", "BPF_BTF_LOAD", result.errno);
    return new FunctionBtf(
      result.value,
      functionNames.map((_, i) => FIRST_FUNC_ID + i),
    );
  }
}

/** The BTF blob: header, types (int, prototype `int (void)`, FUNCs), strings. */
export function functionBtf(functionNames: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const strings: number[] = [0];
  const nameOffset = (name: string) => {
    const offset = strings.length;
    strings.push(...encoder.encode(name), 0);
    return offset;
  };
  const types: number[] = [];
  const word = (value: number) => types.push(value >>> 0);
  // [1] int: 4 bytes, signed, 32 bits
  word(nameOffset("int"));
  word(KIND.INT << 24);
  word(4);
  word((INT_SIGNED << 24) | 32);
  // [2] int (void)
  word(0);
  word(KIND.FUNC_PROTO << 24);
  word(1);
  // [3…] static functions of that prototype
  for (const name of functionNames) {
    word(nameOffset(name.replace(/[^A-Za-z0-9_]/g, "_")));
    word((KIND.FUNC << 24) | LINKAGE_STATIC);
    word(2);
  }
  const typeBytes = types.length * 4;
  const blob = new Uint8Array(HEADER_SIZE + typeBytes + strings.length);
  const view = new DataView(blob.buffer);
  view.setUint16(0, BTF_MAGIC, true);
  view.setUint8(2, 1);
  view.setUint8(3, 0);
  view.setUint32(4, HEADER_SIZE, true);
  view.setUint32(8, 0, true);
  view.setUint32(12, typeBytes, true);
  view.setUint32(16, typeBytes, true);
  view.setUint32(20, strings.length, true);
  types.forEach((value, i) => view.setUint32(HEADER_SIZE + 4 * i, value, true));
  blob.set(strings, HEADER_SIZE + typeBytes);
  return blob;
}

// --- internal ---

const BPF_BTF_LOAD = 18;
const BTF_LOAD = { data: 0, size: 16 } as const;
const BTF_MAGIC = 0xeb9f;
const HEADER_SIZE = 24;
const KIND = { INT: 1, FUNC: 12, FUNC_PROTO: 13 } as const;
const INT_SIGNED = 1;
const LINKAGE_STATIC = 0;
const FIRST_FUNC_ID = 3;
