import { describe, expect, test } from "bun:test";
import { findSyscallNumber, SYSCALL_REGISTERS_BYTES, syscallRegisters } from "../../src/bpf/index.ts";

describe("syscallRegisters", () => {
  for (const arch of ["x64", "arm64"]) {
    test(`${arch}: six arguments and the mode word all lie inside the copy, which fits the room programs keep for it`, () => {
      const layout = syscallRegisters(arch);
      if (layout === undefined) throw new Error(`no layout for ${arch}`);
      const copied = layout.reads.reduce((sum, read) => sum + read.bytes, 0);
      const inside = (at: number) => at >= 0 && at + 8 <= copied && at % 8 === 0;
      expect({
        copied: copied <= SYSCALL_REGISTERS_BYTES,
        args: layout.args.length,
        argsInside: layout.args.every(inside),
        distinct: new Set(layout.args).size,
        modeInside: inside(layout.mode.at),
        // the mode word is not an argument register
        modeApart: !layout.args.includes(layout.mode.at),
      }).toEqual({ copied: true, args: 6, argsInside: true, distinct: 6, modeInside: true, modeApart: true });
    });
  }

  test("an architecture without a layout has none, and no syscall numbers either", () => {
    expect({ layout: syscallRegisters("ia32"), openat: findSyscallNumber("openat", "ia32") }).toEqual({ layout: undefined, openat: undefined });
  });
});
