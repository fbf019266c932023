import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { I64Schema, isSafeRunId, U64_MAX, U64Schema } from "../../src/schema/index.ts";

describe("U64Schema", () => {
  test("accepts safe non-negative numbers and bigints up to 2^64-1", () => {
    for (const n of [0, 1, Number.MAX_SAFE_INTEGER, 0n, U64_MAX]) expect(v.is(U64Schema, n)).toBe(true);
  });

  test("rejects negatives, fractions, unsafe (already rounded) numbers, and bigints beyond u64", () => {
    for (const n of [-1, 0.5, 2 ** 53, -1n, U64_MAX + 1n, "1", null]) expect(v.is(U64Schema, n)).toBe(false);
  });
});

describe("I64Schema", () => {
  test("accepts negative values and the i64 bounds, and rejects beyond them", () => {
    expect([-2, -(2n ** 63n), 2n ** 63n - 1n].map((n) => v.is(I64Schema, n))).toEqual([true, true, true]);
    expect([-(2n ** 63n) - 1n, 2n ** 63n, 1.5].map((n) => v.is(I64Schema, n))).toEqual([false, false, false]);
  });
});

describe("isSafeRunId", () => {
  test("accepts ASCII letters, digits, underscore and hyphen", () => {
    expect(["run_001", "run_arm_a-openai_20260525T113813Z_1", "A", "-"].map(isSafeRunId)).toEqual([true, true, true, true]);
  });

  test("rejects empty ids, separators, whitespace and non-ASCII letters", () => {
    expect(["", "run:1", "run/1", "run 1", "rün", "run\n"].map(isSafeRunId)).toEqual([false, false, false, false, false, false]);
  });
});
