import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { KernelEventSchema, validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const where = { file: "layers/kernel.ndjson", line: 3 };
const check = (row: unknown) => codesAndPaths(validateDocument(row, where));

function row(overrides: Record<string, unknown>, drop: readonly string[] = []): Record<string, unknown> {
  const out = { ...sample("openat"), ...overrides };
  for (const key of drop) delete out[key];
  return out;
}

const bare = (eventType: number, kind: string, value: string | null) =>
  row({ event_type: eventType, kind, value }, ["flags", "mode", "return_value", "access_mode", "operation_flags", "status"]);

describe("KernelEventSchema", () => {
  test("accepts an openat row with open metadata", () => {
    expect(check(sample("openat"))).toEqual([]);
  });

  test("accepts an openat row without open metadata, as 2026-05-24 producers wrote", () => {
    expect(check(bare(1, "openat", "/opt/workload/package.json"))).toEqual([]);
  });

  test.each([
    [1, "openat"],
    [2, "connect"],
    [4, "exec"],
    [6, "sendto"],
    [7, "sendmsg"],
    [10, "file_blocked"],
    [20, "connect_blocked"],
  ])("accepts event_type %d with kind %s", (eventType, kind) => {
    expect(check(bare(eventType, kind, "x"))).toEqual([]);
  });

  test("accepts sendto and sendmsg rows, which upstream's lagging JSON Schema would reject", () => {
    expect(check(bare(6, "sendto", "8.8.8.8:53"))).toEqual([]);
    expect(check(bare(7, "sendmsg", "[::1]:53"))).toEqual([]);
  });

  test("accepts an unknown monitor id as event_<id> with a null value", () => {
    expect(check(bare(21, "event_21", null))).toEqual([]);
  });

  test("rejects a known kind with another event_type, naming both", () => {
    const result = validateDocument(bare(2, "openat", "/x"), where);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        code: "INVARIANT_VIOLATED",
        file: "layers/kernel.ndjson",
        line: 3,
        path: "event_type",
        expected: "1",
        received: "2",
        message: 'kernel_event.v0 row: kind "openat" requires event_type 1, received 2',
      },
    ]);
  });

  test("rejects a known event_type written as event_<id>", () => {
    expect(check(bare(4, "event_4", null))).toEqual([{ code: "INVARIANT_VIOLATED", path: "kind" }]);
  });

  test("rejects event_<id> whose id differs from event_type", () => {
    expect(check(bare(21, "event_22", null))).toEqual([{ code: "INVARIANT_VIOLATED", path: "kind" }]);
  });

  test("rejects a value on an unknown monitor id", () => {
    expect(check(bare(21, "event_21", "/x"))).toEqual([{ code: "INVARIANT_VIOLATED", path: "value" }]);
  });

  test("rejects a kind that is neither known nor event_<id>", () => {
    expect(check(bare(3, "fork", null))).toEqual([{ code: "INVARIANT_VIOLATED", path: "kind" }]);
  });

  test("rejects a run id outside [A-Za-z0-9_-]", () => {
    expect(check(row({ run_id: "run:001" }))).toEqual([{ code: "FIELD_INVALID", path: "run_id" }]);
    expect(check(row({ run_id: "" }))).toEqual([{ code: "FIELD_INVALID", path: "run_id" }]);
  });

  test("rejects resolve 0, which the decoder omits instead of writing", () => {
    expect(check(row({ resolve: 0 }))).toEqual([{ code: "FIELD_INVALID", path: "resolve" }]);
    expect(check(row({ resolve: 8 }))).toEqual([]);
  });

  test("rejects operation_flags outside the four-value vocabulary", () => {
    expect(check(row({ operation_flags: ["create", "nocreate"] }))).toEqual([{ code: "FIELD_INVALID", path: "operation_flags.1" }]);
  });

  test("rejects a repeated operation flag", () => {
    expect(check(row({ operation_flags: ["create", "create"] }))).toEqual([{ code: "INVARIANT_VIOLATED", path: "operation_flags.1" }]);
  });

  test("rejects operation flags out of the decoder's fixed order", () => {
    expect(check(row({ operation_flags: ["truncate", "create"] }))).toEqual([{ code: "INVARIANT_VIOLATED", path: "operation_flags.1" }]);
  });

  test("rejects a status without return_value", () => {
    expect(check(row({}, ["return_value"]))).toEqual([{ code: "INVARIANT_VIOLATED", path: "return_value" }]);
  });

  test("rejects a status that contradicts the sign of return_value", () => {
    expect(check(row({ return_value: -2 }))).toEqual([{ code: "INVARIANT_VIOLATED", path: "status" }]);
    expect(check(row({ return_value: -2, status: "error" }))).toEqual([]);
  });

  test("rejects an access_mode that contradicts flags & O_ACCMODE", () => {
    expect(check(row({ access_mode: "read" }))).toEqual([{ code: "INVARIANT_VIOLATED", path: "access_mode" }]);
  });

  test("rejects an empty value, which the decoder writes as null", () => {
    expect(check(bare(4, "exec", ""))).toEqual([{ code: "FIELD_INVALID", path: "value" }]);
  });

  test("reports a missing required field as FIELD_MISSING", () => {
    expect(check(row({}, ["value"]))).toEqual([{ code: "FIELD_MISSING", path: "value" }]);
  });

  test("keeps u64 flags beyond 2^53 exact as bigint, and rejects a rounded number", () => {
    const big = (1n << 63n) | 577n;
    const parsed = v.parse(KernelEventSchema, row({ flags: big }));
    expect(parsed.flags).toBe(big);
    expect(check(row({ flags: 2 ** 60 }))).toEqual([{ code: "FIELD_INVALID", path: "flags" }]);
    expect(check(row({ flags: 1n << 64n }))).toEqual([{ code: "FIELD_INVALID", path: "flags" }]);
  });

  test("accepts a negative i64 return_value as bigint", () => {
    expect(check(row({ return_value: -(1n << 62n), status: "error" }))).toEqual([]);
  });

  test("drops unknown fields instead of rejecting them, like upstream's serde readers", () => {
    const parsed = v.parse(KernelEventSchema, row({ future_field: 1 }));
    expect("future_field" in parsed).toBe(false);
  });
});
