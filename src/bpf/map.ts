import { bpfCall, BpfCommand, newAttr, setObjectName, setPointer } from "./bpf-call.ts";
import { syscallError } from "./errors.ts";
import { OwnedFd } from "./owned-fd.ts";

/** `enum bpf_map_type` values we create. */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  /** Programs a `bpf_tail_call` jumps to; a value is a program fd. */
  PROG_ARRAY: 3,
  PERCPU_ARRAY: 6,
  CGROUP_ARRAY: 8,
  LRU_HASH: 9,
  LPM_TRIE: 11,
  RINGBUF: 27,
  /** One value per thread, freed with it (`bpf_task_storage_get`); needs BTF for key and value. */
  TASK_STORAGE: 29,
} as const;

/** `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`. */
export const UpdateFlag = { ANY: 0, NOEXIST: 1, EXIST: 2 } as const;

/** What a map is: type, key and value sizes, capacity. */
export interface MapSpec {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /** Loaded BTF naming the key and value types (maps that need it, e.g. task storage). */
  readonly btf?: { readonly fd: number; readonly keyTypeId: number; readonly valueTypeId: number };
}

// `union bpf_attr` for BPF_MAP_CREATE.
const CREATE = { type: 0, keySize: 4, valueSize: 8, maxEntries: 12, flags: 16, name: 28, btfFd: 48, btfKeyTypeId: 52, btfValueTypeId: 56 } as const;
// `union bpf_attr` for BPF_MAP_*_ELEM.
const ELEM = { fd: 0, key: 8, value: 16, flags: 24 } as const;

/** A created map; its fd is closed by `close` (the kernel frees it when no program holds it). */
export class BpfMap extends OwnedFd {
  private constructor(
    readonly spec: MapSpec,
    fd: number,
  ) {
    super(fd);
  }

  /** Creates a map (BPF_MAP_CREATE). */
  static create(spec: MapSpec): BpfMap {
    const { bytes, view } = newAttr();
    view.setUint32(CREATE.type, spec.type, true);
    view.setUint32(CREATE.keySize, spec.keySize, true);
    view.setUint32(CREATE.valueSize, spec.valueSize, true);
    view.setUint32(CREATE.maxEntries, spec.maxEntries, true);
    view.setUint32(CREATE.flags, spec.flags ?? 0, true);
    setObjectName(bytes, CREATE.name, spec.name);
    if (spec.btf !== undefined) {
      view.setUint32(CREATE.btfFd, spec.btf.fd, true);
      view.setUint32(CREATE.btfKeyTypeId, spec.btf.keyTypeId, true);
      view.setUint32(CREATE.btfValueTypeId, spec.btf.valueTypeId, true);
    }
    const result = bpfCall(BpfCommand.MAP_CREATE, bytes);
    if (!result.ok) throw syscallError("BPF_MAP_CREATE_FAILED", `BPF_MAP_CREATE ${spec.name}`, result.errno);
    return new BpfMap(spec, result.value);
  }

  /** Writes one entry (BPF_MAP_UPDATE_ELEM). */
  update(key: Uint8Array, value: Uint8Array, flag: number = UpdateFlag.ANY): void {
    const result = this.#elem(BpfCommand.MAP_UPDATE_ELEM, key, value, flag);
    if (!result.ok) throw syscallError("BPF_MAP_OPERATION_FAILED", `BPF_MAP_UPDATE_ELEM ${this.spec.name}`, result.errno);
  }

  /** Reads one entry into a new buffer of `bytes` (per-CPU maps: value size × possible CPUs), or undefined when absent. */
  lookup(key: Uint8Array, bytes: number = this.spec.valueSize): Uint8Array | undefined {
    const value = new Uint8Array(bytes);
    const result = this.#elem(BpfCommand.MAP_LOOKUP_ELEM, key, value, 0);
    if (result.ok) return value;
    if (result.errno === 2) return undefined;
    throw syscallError("BPF_MAP_OPERATION_FAILED", `BPF_MAP_LOOKUP_ELEM ${this.spec.name}`, result.errno);
  }

  /** Deletes one entry; false when it was absent. */
  delete(key: Uint8Array): boolean {
    const result = this.#elem(BpfCommand.MAP_DELETE_ELEM, key, undefined, 0);
    if (result.ok) return true;
    if (result.errno === 2) return false;
    throw syscallError("BPF_MAP_OPERATION_FAILED", `BPF_MAP_DELETE_ELEM ${this.spec.name}`, result.errno);
  }

  #elem(command: number, key: Uint8Array, value: Uint8Array | undefined, flag: number) {
    const { bytes, view } = newAttr();
    view.setUint32(ELEM.fd, this.fd, true);
    setPointer(view, ELEM.key, key);
    setPointer(view, ELEM.value, value);
    view.setBigUint64(ELEM.flags, BigInt(flag), true);
    return bpfCall(command, bytes);
  }
}

/** A u32 as a map holds it: an array map's key, a u32 value (a pid, a cgroup or program fd). */
export function u32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}
