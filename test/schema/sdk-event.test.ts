import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { SdkEventSchema, validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "layers/sdk.ndjson", line: 1 }));

describe("SdkEventSchema", () => {
  test("accepts a tool call row and a run_finished row with null tool fields", () => {
    expect(check(sample("sdk"))).toEqual([]);
    expect(check({ ...sample("sdk"), event_type: "run_finished", tool_call_id: null, tool: null })).toEqual([]);
  });

  test("reads a missing nullable field as null, as upstream's Option fields do", () => {
    const { sdk_version: _, ...row } = sample("sdk");
    expect(v.parse(SdkEventSchema, row).sdk_version).toBeNull();
  });

  test.each(["tool_call_started", "tool_call_completed"])("rejects %s without tool_call_id or tool", (eventType) => {
    expect(check({ ...sample("sdk"), event_type: eventType, tool_call_id: null })).toEqual([{ code: "INVARIANT_VIOLATED", path: "tool_call_id" }]);
    expect(check({ ...sample("sdk"), event_type: eventType, tool: null })).toEqual([{ code: "INVARIANT_VIOLATED", path: "tool" }]);
  });

  test.each(["sdk_name", "sdk_version", "tool_call_id", "tool"])("rejects an empty or untrimmed %s, which ingest writes as null or trimmed", (field) => {
    expect(check({ ...sample("sdk"), [field]: "" })).toEqual([{ code: "FIELD_INVALID", path: field }]);
    expect(check({ ...sample("sdk"), [field]: " x" })).toEqual([{ code: "FIELD_INVALID", path: field }]);
  });

  test("rejects an event_type outside the four upstream accepts", () => {
    expect(check({ ...sample("sdk"), event_type: "run_started" })).toEqual([{ code: "FIELD_INVALID", path: "event_type" }]);
  });

  test("rejects a missing or empty source", () => {
    const { source: _, ...row } = sample("sdk");
    expect(check(row)).toEqual([{ code: "FIELD_MISSING", path: "source" }]);
    expect(check({ ...sample("sdk"), source: "" })).toEqual([{ code: "FIELD_INVALID", path: "source" }]);
  });
});
