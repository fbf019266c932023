import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { CorrelationReportSchema, validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "correlation-report.json" }));

describe("CorrelationReportSchema", () => {
  test("accepts a clean report with one binding carrying the session cgroup", () => {
    expect(check(sample("correlation"))).toEqual([]);
  });

  test("accepts a partial report with its ambiguity", () => {
    const doc = { ...sample("correlation"), status: "partial", ambiguities: ["policy_events_without_kernel_events"] };
    expect(check(doc)).toEqual([]);
  });

  test("rejects a status outside clean, partial, failed", () => {
    expect(check({ ...sample("correlation"), status: "ok" })).toEqual([{ code: "FIELD_INVALID", path: "status" }]);
  });

  test("rejects a clean report that lists ambiguities", () => {
    expect(check({ ...sample("correlation"), ambiguities: ["x"] })).toEqual([{ code: "INVARIANT_VIOLATED", path: "status" }]);
  });

  test("rejects a partial report without any ambiguity", () => {
    expect(check({ ...sample("correlation"), status: "partial" })).toEqual([{ code: "INVARIANT_VIOLATED", path: "ambiguities" }]);
  });

  test("rejects a cgroup_id when several bindings share the session", () => {
    const doc = sample("correlation");
    const { cgroup_id: _, ...rest } = doc.bindings[0]!;
    const second = { ...rest, tool_call_id: "tc_2" };
    const report = { ...doc, bindings: [doc.bindings[0], second] };
    expect(check(report)).toEqual([{ code: "INVARIANT_VIOLATED", path: "bindings.0.cgroup_id" }]);
  });

  test("reads a binding without policy_decision as null, and requires kernel_event_count and window", () => {
    const doc = sample("correlation");
    const { policy_decision: _, ...binding } = doc.bindings[0]!;
    expect(v.parse(CorrelationReportSchema, { ...doc, bindings: [binding] }).bindings[0]?.policy_decision).toBeNull();
    const { kernel_event_count: __, window: ___, ...bare } = doc.bindings[0]!;
    expect(check({ ...doc, bindings: [bare] })).toEqual([
      { code: "FIELD_MISSING", path: "bindings.0.kernel_event_count" },
      { code: "FIELD_MISSING", path: "bindings.0.window" },
    ]);
  });

  test("rejects an empty tool_call_id", () => {
    const doc = sample("correlation");
    expect(check({ ...doc, bindings: [{ ...doc.bindings[0], tool_call_id: "" }] })).toEqual([{ code: "FIELD_INVALID", path: "bindings.0.tool_call_id" }]);
  });
});
