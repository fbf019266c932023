import { describe, expect, test } from "bun:test";
import { evaluateChecks, type GuardCheck } from "../../scripts/bench-guard.ts";

// The guard's timing runs in CI as its own step (`bun run bench:guard`); here only its arithmetic.
describe("evaluateChecks", () => {
  const check: GuardCheck = {
    name: "c",
    engine: { bench: "e", items: 1000 },
    reference: { bench: "r", items: 10 },
    multiple: 20,
  };

  test("compares per-item times: 1000 items in 1 ms against 10 items in 1 ms is a 100× speedup", () => {
    expect(
      evaluateChecks(
        [check],
        new Map([
          ["e", 1e6],
          ["r", 1e6],
        ]),
      ),
    ).toEqual([{ name: "c", speedup: 100, multiple: 20, ok: true }]);
  });

  test("fails below the multiple and when a bench is missing", () => {
    expect(
      evaluateChecks(
        [check],
        new Map([
          ["e", 1e8],
          ["r", 1e6],
        ]),
      ).map((v) => v.ok),
    ).toEqual([false]);
    expect(evaluateChecks([check], new Map([["e", 1e6]])).map((v) => v.ok)).toEqual([false]);
  });
});
