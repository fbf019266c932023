import { describe, expect, test } from "bun:test";
import {
  add,
  and,
  assemble,
  atomicAdd,
  AssembleError,
  call,
  exit,
  goTo,
  jump,
  label,
  load,
  loadFunction,
  loadImm64,
  loadMap,
  mapsOf,
  mov,
  mov32,
  R0,
  R1,
  R10,
  R6,
  R7,
  store,
} from "../../src/bpf/index.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex").match(/.{16}/g);

describe("assemble", () => {
  test("encodes each instruction class as the kernel's instruction-set document spells it", () => {
    const program = [
      mov(R0, 0), // b7: ALU64 | MOV | K
      mov(R1, R6), // bf: ALU64 | MOV | X, src 6 dst 1
      mov32(R1, R1), // bc: ALU | MOV | X
      and(R1, 0xffff), // 57: ALU64 | AND | K
      store("u32", R10, -4, R0), // 63: STX | MEM | W
      store("u64", R7, 40, 0), // 7a: ST | MEM | DW
      load("u64", R0, R1, 8), // 79: LDX | MEM | DW
      atomicAdd("u64", R0, 0, R1), // db: STX | ATOMIC | DW, imm BPF_ADD
      call(14), // 85: JMP | CALL
      exit(), // 95: JMP | EXIT
    ];
    expect(hex(assemble(program, new Map()))).toEqual([
      "b700000000000000",
      "bf61000000000000",
      "bc11000000000000",
      "57010000ffff0000",
      "630afcff00000000",
      "7a07280000000000",
      "7910080000000000",
      "db10000000000000",
      "850000000e000000",
      "9500000000000000",
    ]);
  });

  test("resolves jumps to labels forward and backward, counting ld_imm64 as two slots", () => {
    const program = [label("top"), jump("jeq", R0, 0, "end"), loadImm64(R1, 0x1122334455667788n), add(R1, 1), goTo("top"), label("end"), exit()];
    expect(hex(assemble(program, new Map()))).toEqual([
      "1500040000000000",
      "1801000088776655",
      "0000000044332211",
      "0701000001000000",
      "0500fbff00000000",
      "9500000000000000",
    ]);
  });

  test("puts a map's fd in an ld_imm64 with src_reg BPF_PSEUDO_MAP_FD, and a subprogram's offset with BPF_PSEUDO_FUNC", () => {
    const program = [loadMap(R1, "events"), loadFunction(R1, "callback"), exit(), label("callback"), mov(R0, 0), exit()];
    expect({ maps: mapsOf(program), code: hex(assemble(program, new Map([["events", 7]]))) }).toEqual({
      maps: ["events"],
      code: ["1811000007000000", "0000000000000000", "1841000002000000", "0000000000000000", "9500000000000000", "b700000000000000", "9500000000000000"],
    });
  });

  test("refuses an unknown label, an unknown map, a label defined twice and an immediate wider than 32 bits", () => {
    const attempts = [
      () => assemble([goTo("nowhere")], new Map()),
      () => assemble([loadMap(R1, "missing")], new Map()),
      () => assemble([label("a"), label("a"), exit()], new Map()),
      () => assemble([mov(R0, 2 ** 33)], new Map()),
    ];
    expect(
      attempts.map((attempt) => {
        try {
          attempt();
          return "accepted";
        } catch (error) {
          return error instanceof AssembleError ? error.message : String(error);
        }
      }),
    ).toEqual(["jump to unknown label nowhere", "load of unknown map missing", "label a is defined twice", "immediate 8589934592 does not fit 32 bits"]);
  });
});
