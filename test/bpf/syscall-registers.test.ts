import { describe, expect, test } from "bun:test";
import { findSyscallNumber, syscallRegisters } from "../../src/bpf/index.ts";

describe("syscallRegisters", () => {
  for (const arch of ["x64", "arm64"]) {
    test(`${arch}: six distinct, aligned u64 argument registers, and a mode word that is none of them`, () => {
      const layout = syscallRegisters(arch);
      if (layout === undefined) throw new Error(`no layout for ${arch}`);
      const aligned = (at: number) => at >= 0 && at % 8 === 0;
      expect({
        args: layout.args.length,
        aligned: [...layout.args, layout.mode.at].every(aligned),
        distinct: new Set(layout.args).size,
        modeApart: !layout.args.includes(layout.mode.at),
        // a mask that keeps the native value, so a native syscall can match at all
        matchable: (layout.mode.native & layout.mode.mask) === layout.mode.native,
      }).toEqual({ args: 6, aligned: true, distinct: 6, modeApart: true, matchable: true });
    });
  }

  test("an architecture without a layout has none, and no syscall numbers either", () => {
    expect({ layout: syscallRegisters("ia32"), openat: findSyscallNumber("openat", "ia32") }).toEqual({ layout: undefined, openat: undefined });
  });
});
