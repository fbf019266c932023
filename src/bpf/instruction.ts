// eBPF instructions as plain values, in the kernel's vocabulary (include/uapi/linux/bpf.h,
// Documentation/bpf/standardization/instruction-set.rst): registers R0–R10, 8-byte slots,
// `ld_imm64` taking two. Jumps name labels and map loads name maps; `assemble` resolves both.

/** A register R0–R10 (an object, so it is never mistaken for an immediate). */
export interface Register {
  readonly register: number;
}

export const R0: Register = { register: 0 };
export const R1: Register = { register: 1 };
export const R2: Register = { register: 2 };
export const R3: Register = { register: 3 };
export const R4: Register = { register: 4 };
export const R5: Register = { register: 5 };
export const R6: Register = { register: 6 };
export const R7: Register = { register: 7 };
export const R8: Register = { register: 8 };
export const R9: Register = { register: 9 };
/** The read-only frame pointer; the stack is the 512 bytes below it. */
export const R10: Register = { register: 10 };

/** Memory access widths. */
export type Size = "u8" | "u16" | "u32" | "u64";

/** One encoded instruction, a jump to a label, a map load, or a label marking a position. */
export type Instruction =
  | { readonly kind: "plain"; readonly opcode: number; readonly dst: number; readonly src: number; readonly offset: number; readonly imm: number }
  | { readonly kind: "jump"; readonly opcode: number; readonly dst: number; readonly src: number; readonly imm: number; readonly target: string }
  | { readonly kind: "wide"; readonly dst: number; readonly src: number; readonly value: bigint }
  | { readonly kind: "map"; readonly dst: number; readonly map: string }
  | { readonly kind: "function"; readonly dst: number; readonly target: string }
  | { readonly kind: "label"; readonly name: string };

/** A program: instructions and labels, nested arrays flattened. */
export type Program = ReadonlyArray<Instruction | Program>;

/** Kernel helper ids used by our programs (`enum bpf_func_id`). */
export const Helper = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  get_smp_processor_id: 8,
  tail_call: 12,
  get_current_pid_tgid: 14,
  skb_load_bytes: 26,
  current_task_under_cgroup: 37,
  probe_read_user: 112,
  probe_read_kernel: 113,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  ringbuf_output: 130,
  task_storage_get: 156,
  get_current_task_btf: 158,
  btf_find_by_name_kind: 167,
  loop: 181,
} as const;

/** Size of one instruction slot in bytes. */
export const INSTRUCTION_SIZE = 8;

// Classes, sizes, modes and operations (uapi bpf_common.h / bpf.h).
const CLASS = { ld: 0x00, ldx: 0x01, st: 0x02, stx: 0x03, alu: 0x04, jmp: 0x05, alu64: 0x07 } as const;
const SIZE: Record<Size, number> = { u32: 0x00, u16: 0x08, u8: 0x10, u64: 0x18 };
const MODE = { imm: 0x00, mem: 0x60, atomic: 0xc0 } as const;
const SOURCE_REGISTER = 0x08;
const ALU = { add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0 } as const;
const JMP = {
  ja: 0x00,
  jeq: 0x10,
  jgt: 0x20,
  jge: 0x30,
  jset: 0x40,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
} as const;
/** `src_reg` of an `ld_imm64` whose immediate is a map fd. */
const PSEUDO_MAP_FD = 1;
/** `src_reg` of an `ld_imm64` whose immediate is the offset of a subprogram (a callback). */
const PSEUDO_FUNC = 4;

/** ALU operation names. */
export type AluOp = keyof typeof ALU;
/** Conditional jump names. */
export type JumpOp = Exclude<keyof typeof JMP, "ja" | "call" | "exit">;

/** `dst = src` (64-bit). */
export const mov = (dst: Register, src: Register | number): Instruction => alu64("mov", dst, src);
/** `dst = (u32)src`, zero-extending. */
export const mov32 = (dst: Register, src: Register | number): Instruction => aluOp(CLASS.alu, "mov", dst, src);

/** A 64-bit ALU operation `dst op= src`. */
export function alu64(op: AluOp, dst: Register, src: Register | number): Instruction {
  return aluOp(CLASS.alu64, op, dst, src);
}

export const add = (dst: Register, src: Register | number) => alu64("add", dst, src);
export const sub = (dst: Register, src: Register | number) => alu64("sub", dst, src);
export const mul = (dst: Register, src: Register | number) => alu64("mul", dst, src);
export const and = (dst: Register, src: Register | number) => alu64("and", dst, src);
export const or = (dst: Register, src: Register | number) => alu64("or", dst, src);
export const xor = (dst: Register, src: Register | number) => alu64("xor", dst, src);
export const lsh = (dst: Register, src: Register | number) => alu64("lsh", dst, src);
export const rsh = (dst: Register, src: Register | number) => alu64("rsh", dst, src);

/** `dst = *(size *)(src + offset)`. */
export function load(size: Size, dst: Register, src: Register, offset: number): Instruction {
  return plain(CLASS.ldx | MODE.mem | SIZE[size], dst.register, src.register, offset, 0);
}

/** `*(size *)(dst + offset) = src` (a register) or an immediate. */
export function store(size: Size, dst: Register, offset: number, src: Register | number): Instruction {
  if (typeof src === "number") return plain(CLASS.st | MODE.mem | SIZE[size], dst.register, 0, offset, src);
  return plain(CLASS.stx | MODE.mem | SIZE[size], dst.register, src.register, offset, 0);
}

/** `lock *(size *)(dst + offset) += src` (BPF_ATOMIC BPF_ADD; u32 or u64). */
export function atomicAdd(size: "u32" | "u64", dst: Register, offset: number, src: Register): Instruction {
  return plain(CLASS.stx | MODE.atomic | SIZE[size], dst.register, src.register, offset, 0);
}

/** `if (dst op src) goto target` (64-bit compare). */
export function jump(op: JumpOp, dst: Register, src: Register | number, target: string): Instruction {
  const usesRegister = typeof src !== "number";
  return {
    kind: "jump",
    opcode: CLASS.jmp | JMP[op] | (usesRegister ? SOURCE_REGISTER : 0),
    dst: dst.register,
    src: usesRegister ? src.register : 0,
    imm: usesRegister ? 0 : checkedImmediate(src),
    target,
  };
}

/** `goto target`. */
export function goTo(target: string): Instruction {
  return { kind: "jump", opcode: CLASS.jmp | JMP.ja, dst: 0, src: 0, imm: 0, target };
}

/** Calls a kernel helper: arguments in R1–R5, result in R0, R1–R5 clobbered. */
export function call(helper: number): Instruction {
  return plain(CLASS.jmp | JMP.call, 0, 0, 0, helper);
}

/** Returns R0. */
export function exit(): Instruction {
  return plain(CLASS.jmp | JMP.exit, 0, 0, 0, 0);
}

/** `dst = value`, a full 64-bit immediate (two slots). */
export function loadImm64(dst: Register, value: bigint): Instruction {
  return { kind: "wide", dst: dst.register, src: 0, value: BigInt.asUintN(64, value) };
}

/** `dst = &map`: the map's fd, replaced by the kernel with its address (two slots). */
export function loadMap(dst: Register, map: string): Instruction {
  return { kind: "map", dst: dst.register, map };
}

/**
 * `dst = &subprogram`: the address of the code at `target`, for helpers that take a callback
 * (`bpf_loop`). The subprogram follows the main program's `exit` and ends with its own.
 */
export function loadFunction(dst: Register, target: string): Instruction {
  return { kind: "function", dst: dst.register, target };
}

/** Marks the position the next instruction will take. */
export function label(name: string): Instruction {
  return { kind: "label", name };
}

/** A program that cannot be encoded: unknown label or map, a jump out of range. */
export class AssembleError extends Error {
  override readonly name = "AssembleError";
}

/** Encodes a program into kernel bytes, resolving labels and map names (to fds). */
export function assemble(program: Program, mapFds: ReadonlyMap<string, number>): Uint8Array {
  return assembleWithLabels(program, mapFds).bytes;
}

/** Like `assemble`, also returning each label's slot (subprograms are found by their labels). */
export function assembleWithLabels(
  program: Program,
  mapFds: ReadonlyMap<string, number>,
): { readonly bytes: Uint8Array; readonly labels: ReadonlyMap<string, number> } {
  const flat = flatten(program);
  const positions = new Map<string, number>();
  let slots = 0;
  for (const instruction of flat) {
    if (instruction.kind === "label") {
      if (positions.has(instruction.name)) throw new AssembleError(`label ${instruction.name} is defined twice`);
      positions.set(instruction.name, slots);
    } else slots += slotsOf(instruction);
  }
  const bytes = new Uint8Array(slots * INSTRUCTION_SIZE);
  const view = new DataView(bytes.buffer);
  let slot = 0;
  const put = (opcode: number, dst: number, src: number, offset: number, imm: number) => {
    const at = slot * INSTRUCTION_SIZE;
    view.setUint8(at, opcode);
    view.setUint8(at + 1, (src << 4) | dst);
    view.setInt16(at + 2, offset, true);
    view.setInt32(at + 4, imm, true);
    slot += 1;
  };
  for (const instruction of flat) {
    switch (instruction.kind) {
      case "label":
        break;
      case "plain":
        put(instruction.opcode, instruction.dst, instruction.src, instruction.offset, instruction.imm);
        break;
      case "jump": {
        const target = positions.get(instruction.target);
        if (target === undefined) throw new AssembleError(`jump to unknown label ${instruction.target}`);
        const offset = target - slot - 1;
        if (offset < -32768 || offset > 32767) throw new AssembleError(`jump to ${instruction.target} is out of range (${offset})`);
        put(instruction.opcode, instruction.dst, instruction.src, offset, instruction.imm);
        break;
      }
      case "wide":
        put(CLASS.ld | MODE.imm | SIZE.u64, instruction.dst, instruction.src, 0, Number(BigInt.asIntN(32, instruction.value)));
        put(0, 0, 0, 0, Number(BigInt.asIntN(32, instruction.value >> 32n)));
        break;
      case "function": {
        const target = positions.get(instruction.target);
        if (target === undefined) throw new AssembleError(`address of unknown label ${instruction.target}`);
        put(CLASS.ld | MODE.imm | SIZE.u64, instruction.dst, PSEUDO_FUNC, 0, target - slot - 1);
        put(0, 0, 0, 0, 0);
        break;
      }
      case "map": {
        const fd = mapFds.get(instruction.map);
        if (fd === undefined) throw new AssembleError(`load of unknown map ${instruction.map}`);
        put(CLASS.ld | MODE.imm | SIZE.u64, instruction.dst, PSEUDO_MAP_FD, 0, fd);
        put(0, 0, 0, 0, 0);
        break;
      }
    }
  }
  return { bytes, labels: positions };
}

/** The map names a program loads, in first-use order. */
export function mapsOf(program: Program): string[] {
  const names: string[] = [];
  for (const instruction of flatten(program)) if (instruction.kind === "map" && !names.includes(instruction.map)) names.push(instruction.map);
  return names;
}

// --- internal ---

function plain(opcode: number, dst: number, src: number, offset: number, imm: number): Instruction {
  if (offset < -32768 || offset > 32767) throw new AssembleError(`offset ${offset} does not fit 16 bits`);
  return { kind: "plain", opcode, dst, src, offset, imm: checkedImmediate(imm) };
}

function aluOp(cls: number, op: AluOp, dst: Register, src: Register | number): Instruction {
  if (typeof src === "number") return plain(cls | ALU[op], dst.register, 0, 0, src);
  return plain(cls | ALU[op] | SOURCE_REGISTER, dst.register, src.register, 0, 0);
}

// Immediates are signed 32-bit; unsigned spellings up to 2^32-1 wrap like C's (s32) cast.
function checkedImmediate(value: number): number {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 32 - 1) throw new AssembleError(`immediate ${value} does not fit 32 bits`);
  return value | 0;
}

function slotsOf(instruction: Instruction): number {
  return instruction.kind === "wide" || instruction.kind === "map" || instruction.kind === "function" ? 2 : instruction.kind === "label" ? 0 : 1;
}

function flatten(program: Program): Instruction[] {
  const out: Instruction[] = [];
  const walk = (items: Program) => {
    for (const item of items) {
      if (Array.isArray(item)) walk(item as Program);
      else out.push(item as Instruction);
    }
  };
  walk(program);
  return out;
}
