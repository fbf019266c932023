// Type ids in the kernel's own BTF, looked up by the kernel: a sleepable syscall program calls
// bpf_btf_find_by_name_kind and BPF_PROG_TEST_RUN runs it once. That takes ~0.3 ms, where reading
// and scanning the 5 MB /sys/kernel/btf/vmlinux in JavaScript took 21–35 ms.
import { bpfCall, BpfCommand, newAttr, setPointer } from "./bpf-call.ts";
import { BpfError, syscallError } from "./errors.ts";
import { add, call, exit, Helper, mov, R0, R1, R10, R2, R3, R4, R6, store, type Program } from "./instruction.ts";
import { BpfProgram, ProgramType } from "./program.ts";

/** `BTF_KIND_*` values we look up. */
export const BtfKind = { TYPEDEF: 8 } as const;

/** The vmlinux BTF id of `btf_trace_<tracepoint>`, which a BTF-typed raw tracepoint program (`tp_btf`) names at load. */
export function tracepointTypeId(tracepoint: string): number {
  return kernelTypeId(`btf_trace_${tracepoint}`, BtfKind.TYPEDEF);
}

/** The vmlinux BTF id of the type `name` of `kind`; throws a BpfError naming it when the kernel has none. */
export function kernelTypeId(name: string, kind: number): number {
  const step = `BTF lookup ${name}`;
  using program = BpfProgram.load(
    { name: "assay_btf_id", type: ProgramType.SYSCALL, instructions: lookupProgram(name, kind), flags: BPF_F_SLEEPABLE },
    new Map(),
  );
  // the program's context: the u64 it writes the helper's result to, copied back to us
  const context = new Uint8Array(8);
  const { bytes, view } = newAttr();
  view.setUint32(TEST_RUN.programFd, program.fd, true);
  view.setUint32(TEST_RUN.contextSizeIn, context.length, true);
  setPointer(view, TEST_RUN.contextIn, context);
  const ran = bpfCall(BpfCommand.PROG_TEST_RUN, bytes);
  if (!ran.ok) throw syscallError("BPF_UNAVAILABLE", `${step}: BPF_PROG_TEST_RUN`, ran.errno);
  // low 32 bits the type id (negative: an errno), high 32 the BTF object's fd (0: vmlinux)
  const found = Number(new DataView(context.buffer).getBigInt64(0, true));
  if (found <= 0) throw new BpfError("BPF_TRACEPOINT_MISSING", step, -found, `the kernel's BTF has no ${name}`);
  return found;
}

// --- internal ---

const BPF_F_SLEEPABLE = 1 << 4;
// `union bpf_attr` for BPF_PROG_TEST_RUN.
const TEST_RUN = { programFd: 0, contextSizeIn: 40, contextIn: 48 } as const;

// context[0] = bpf_btf_find_by_name_kind(name, its length with the NUL, kind, 0); the name on the stack.
function lookupProgram(name: string, kind: number): Program {
  const text = new TextEncoder().encode(`${name}\0`);
  const padded = new Uint8Array(Math.ceil(text.length / 8) * 8);
  padded.set(text);
  const words = new DataView(padded.buffer);
  const stores: Program[] = [];
  for (let at = 0; at < padded.length; at += 4) stores.push([store("u32", R10, at - padded.length, words.getInt32(at, true))]);
  return [
    mov(R6, R1),
    stores,
    mov(R1, R10),
    add(R1, -padded.length),
    mov(R2, text.length),
    mov(R3, kind),
    mov(R4, 0),
    call(Helper.btf_find_by_name_kind),
    store("u64", R6, 0, R0),
    mov(R0, 0),
    exit(),
  ];
}
