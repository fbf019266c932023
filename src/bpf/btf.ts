// The smallest BTF the kernel needs: for a program with subprograms (callbacks for bpf_loop), one
// `int`, one prototype, one FUNC per function; for a task-storage map, its key and value types
// (include/uapi/linux/btf.h).
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
    return new FunctionBtf(
      loadBtf(functionBtf(functionNames), "BPF_PROGRAM_REJECTED"),
      functionNames.map((_, i) => FIRST_FUNC_ID + i),
    );
  }
}

/** Loaded BTF for a map with a u32 key and a value of `valueSize` bytes: key type 1, value type 3. */
export class MapBtf extends OwnedFd {
  readonly keyTypeId = 1;
  readonly valueTypeId = 3;

  /** Builds and loads (BPF_BTF_LOAD) the two types. */
  static load(valueSize: number): MapBtf {
    return new MapBtf(loadBtf(mapBtf(valueSize), "BPF_MAP_CREATE_FAILED"));
  }
}

/** The BTF blob: `int` key, `unsigned char[valueSize]` value. */
export function mapBtf(valueSize: number): Uint8Array {
  return btfBlob((types, name) => {
    // [1] int: 4 bytes, signed, 32 bits
    types.push(name("int"), KIND.INT << 24, 4, (INT_SIGNED << 24) | 32);
    // [2] unsigned char
    types.push(name("unsigned char"), KIND.INT << 24, 1, 8);
    // [3] unsigned char[valueSize], indexed by int
    types.push(0, KIND.ARRAY << 24, 0, 2, 1, valueSize);
  });
}

/** The BTF blob: header, types (int, prototype `int (void)`, FUNCs), strings. */
export function functionBtf(functionNames: readonly string[]): Uint8Array {
  return btfBlob((types, name) => {
    // [1] int: 4 bytes, signed, 32 bits
    types.push(name("int"), KIND.INT << 24, 4, (INT_SIGNED << 24) | 32);
    // [2] int (void)
    types.push(0, KIND.FUNC_PROTO << 24, 1);
    // [3…] static functions of that prototype
    for (const functionName of functionNames) types.push(name(functionName.replace(/[^A-Za-z0-9_]/g, "_")), (KIND.FUNC << 24) | LINKAGE_STATIC, 2);
  });
}

// --- internal ---

const BPF_BTF_LOAD = 18;
const BTF_LOAD = { data: 0, size: 16 } as const;
const BTF_MAGIC = 0xeb9f;
const HEADER_SIZE = 24;
const KIND = { INT: 1, ARRAY: 3, FUNC: 12, FUNC_PROTO: 13 } as const;
const INT_SIGNED = 1;
const LINKAGE_STATIC = 0;
const FIRST_FUNC_ID = 3;

// Header, the type words `describe` pushes (`name` adds a string and gives its offset), strings.
function btfBlob(describe: (types: number[], name: (text: string) => number) => void): Uint8Array {
  const encoder = new TextEncoder();
  const strings: number[] = [0];
  const types: number[] = [];
  describe(types, (text) => {
    const offset = strings.length;
    strings.push(...encoder.encode(text), 0);
    return offset;
  });
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
  types.forEach((value, i) => view.setUint32(HEADER_SIZE + 4 * i, value >>> 0, true));
  blob.set(strings, HEADER_SIZE + typeBytes);
  return blob;
}

// BPF_BTF_LOAD: the fd, or a BpfError with `code` and the errno.
function loadBtf(blob: Uint8Array, code: "BPF_PROGRAM_REJECTED" | "BPF_MAP_CREATE_FAILED"): number {
  const { bytes, view } = newAttr();
  setPointer(view, BTF_LOAD.data, blob);
  view.setUint32(BTF_LOAD.size, blob.length, true);
  const result = bpfCall(BPF_BTF_LOAD, bytes);
  if (!result.ok) throw syscallError(code, "BPF_BTF_LOAD", result.errno);
  return result.value;
}
