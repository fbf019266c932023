import { bpfCall, BpfCommand, newAttr, setPointer } from "./bpf-call.ts";
import { closeFd } from "./libc.ts";

/** What the kernel reports about a loaded program. */
export interface ProgramInfo {
  readonly id: number;
  readonly name: string;
  /** Runs the kernel skipped because another BPF program was running on that CPU (`recursion_misses`). */
  readonly recursionMisses: number;
  /** Instructions the verifier walked to accept it (its load cost). */
  readonly verifiedInstructions: number;
}

// `struct bpf_prog_info` (include/uapi/linux/bpf.h).
const INFO = { id: 4, name: 64, recursionMisses: 208, verifiedInstructions: 216, size: 232 } as const;
const INFO_ATTR = { fd: 0, length: 4, info: 8 } as const;

/** Reads a program's info by fd (BPF_OBJ_GET_INFO_BY_FD), or undefined when the kernel refuses. */
export function programInfo(fd: number): ProgramInfo | undefined {
  const info = new Uint8Array(INFO.size);
  const { bytes, view } = newAttr();
  view.setUint32(INFO_ATTR.fd, fd, true);
  view.setUint32(INFO_ATTR.length, info.length, true);
  setPointer(view, INFO_ATTR.info, info);
  if (!bpfCall(BpfCommand.OBJ_GET_INFO_BY_FD, bytes).ok) return undefined;
  const data = new DataView(info.buffer);
  const nameBytes = info.subarray(INFO.name, INFO.name + 16);
  const end = nameBytes.indexOf(0);
  return {
    id: data.getUint32(INFO.id, true),
    name: new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? 16 : end)),
    recursionMisses: Number(data.getBigUint64(INFO.recursionMisses, true)),
    verifiedInstructions: data.getUint32(INFO.verifiedInstructions, true),
  };
}

/** Every program loaded in the kernel right now (BPF_PROG_GET_NEXT_ID, then its info). */
export function loadedPrograms(): ProgramInfo[] {
  const found: ProgramInfo[] = [];
  for (let id = 0; ; ) {
    const { bytes, view } = newAttr();
    view.setUint32(0, id, true);
    const next = bpfCall(BpfCommand.PROG_GET_NEXT_ID, bytes);
    if (!next.ok) break;
    id = view.getUint32(4, true);
    const byId = newAttr();
    byId.view.setUint32(0, id, true);
    const opened = bpfCall(BpfCommand.PROG_GET_FD_BY_ID, byId.bytes);
    if (!opened.ok) continue;
    const info = programInfo(opened.value);
    closeFd(opened.value);
    if (info !== undefined) found.push(info);
  }
  return found;
}
