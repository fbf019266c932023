// Type ids in the kernel's own BTF, looked up by the kernel: a sleepable syscall program calls
// bpf_btf_find_by_name_kind once per name and BPF_PROG_TEST_RUN runs it once. That takes
// ~0.3 ms, where reading and scanning the 5 MB /sys/kernel/btf/vmlinux in JavaScript took 21–35 ms.
import { bpfCall, BpfCommand, newAttr, setPointer } from "./bpf-call.ts";
import { BpfError, syscallError } from "./errors.ts";
import { add, call, exit, Helper, mov, R0, R1, R10, R2, R3, R4, R6, store, type Program } from "./instruction.ts";
import { BpfProgram, ProgramType } from "./program.ts";

/** What a BTF-typed raw tracepoint program (`tp_btf`) is loaded with, besides its name and code. */
export interface RawTracepointTarget {
  readonly type: number;
  readonly expectedAttachType: number;
  /** The vmlinux BTF id of `btf_trace_<tracepoint>`. */
  readonly attachBtfId: number;
}

/** The load target of each raw tracepoint, in order, their types looked up in one program run; throws a BpfError naming a type the kernel lacks. */
export function rawTracepointTargets(tracepoints: readonly string[]): RawTracepointTarget[] {
  return typeIds(tracepoints.map((tracepoint) => `btf_trace_${tracepoint}`)).map((attachBtfId) => ({
    type: ProgramType.TRACING,
    expectedAttachType: TRACE_RAW_TP_ATTACH,
    attachBtfId,
  }));
}

/** `rawTracepointTargets` for one tracepoint. */
export function rawTracepointTarget(tracepoint: string): RawTracepointTarget {
  const [target] = rawTracepointTargets([tracepoint]);
  if (target === undefined) throw new Error("rawTracepointTargets gave no target");
  return target;
}

// --- internal ---

// BPF_TRACE_RAW_TP: the attach type of a `tp_btf` program.
const TRACE_RAW_TP_ATTACH = 23;
const BTF_KIND_TYPEDEF = 8;
const BPF_F_SLEEPABLE = 1 << 4;
// `union bpf_attr` for BPF_PROG_TEST_RUN.
const TEST_RUN = { programFd: 0, contextSizeIn: 40, contextIn: 48 } as const;

// The vmlinux BTF ids of the typedefs `names`, in order.
function typeIds(names: readonly string[]): number[] {
  const step = `BTF lookup ${names.join(", ")}`;
  using program = BpfProgram.load({ name: "assay_btf_id", type: ProgramType.SYSCALL, instructions: lookupProgram(names), flags: BPF_F_SLEEPABLE }, new Map());
  // the program's context: the u64 per name it writes the helper's result to, copied back to us
  const context = new Uint8Array(8 * names.length);
  const { bytes, view } = newAttr();
  view.setUint32(TEST_RUN.programFd, program.fd, true);
  view.setUint32(TEST_RUN.contextSizeIn, context.length, true);
  setPointer(view, TEST_RUN.contextIn, context);
  const ran = bpfCall(BpfCommand.PROG_TEST_RUN, bytes);
  if (!ran.ok) throw syscallError("BPF_UNAVAILABLE", `${step}: BPF_PROG_TEST_RUN`, ran.errno);
  const results = new DataView(context.buffer);
  return names.map((name, i) => {
    // low 32 bits the type id (negative: an errno), high 32 the BTF object's fd (0: vmlinux)
    const found = Number(results.getBigInt64(8 * i, true));
    if (found <= 0) throw new BpfError("BPF_TRACEPOINT_MISSING", `BTF lookup ${name}`, -found, `the kernel's BTF has no ${name}`);
    return found;
  });
}

// context[i] = bpf_btf_find_by_name_kind(names[i], its length with the NUL, TYPEDEF, 0), each name
// written to the stack in turn.
function lookupProgram(names: readonly string[]): Program {
  const lookups = names.map((name, i) => {
    const text = new TextEncoder().encode(`${name}\0`);
    const padded = new Uint8Array(Math.ceil(text.length / 8) * 8);
    padded.set(text);
    const words = new DataView(padded.buffer);
    const stores: Program[] = [];
    for (let at = 0; at < padded.length; at += 4) stores.push([store("u32", R10, at - padded.length, words.getInt32(at, true))]);
    return [
      stores,
      mov(R1, R10),
      add(R1, -padded.length),
      mov(R2, text.length),
      mov(R3, BTF_KIND_TYPEDEF),
      mov(R4, 0),
      call(Helper.btf_find_by_name_kind),
      store("u64", R6, 8 * i, R0),
    ];
  });
  return [mov(R6, R1), lookups, mov(R0, 0), exit()];
}
