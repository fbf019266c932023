import { describe, expect, test } from "bun:test";
import { validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "layers/policy.ndjson", line: 1 }));

describe("PolicyEventSchema", () => {
  test("accepts the row upstream derives from one decision event", () => {
    expect(check(sample("policy"))).toEqual([]);
  });

  test("rejects another source_event_type", () => {
    expect(check({ ...sample("policy"), source_event_type: "assay.tool.call" })).toEqual([{ code: "FIELD_INVALID", path: "source_event_type" }]);
  });

  test.each(["source", "tool_call_id", "tool", "decision"])("rejects an empty or untrimmed %s", (field) => {
    expect(check({ ...sample("policy"), [field]: "" })).toEqual([{ code: "FIELD_INVALID", path: field }]);
    expect(check({ ...sample("policy"), [field]: " allow" })).toEqual([{ code: "FIELD_INVALID", path: field }]);
  });
});
