import { describe, expect, test } from "bun:test";
import { validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "events.ndjson", line: 1 }));

describe("RunEventSchema", () => {
  test("accepts run_started and run_finished rows", () => {
    expect(check(sample("runStarted"))).toEqual([]);
    expect(check(sample("runFinished"))).toEqual([]);
  });

  test("accepts a run killed by a signal: no exit code, not successful", () => {
    expect(check({ ...sample("runFinished"), exit_code: null, signal: 9, success: false })).toEqual([]);
  });

  test("rejects an unknown event type", () => {
    expect(check({ ...sample("runStarted"), type: "run_paused" })).toEqual([{ code: "FIELD_INVALID", path: "type" }]);
  });

  test("rejects success that contradicts the exit code", () => {
    expect(check({ ...sample("runFinished"), exit_code: 1 })).toEqual([{ code: "INVARIANT_VIOLATED", path: "success" }]);
  });

  test("rejects unsorted env_keys", () => {
    expect(check({ ...sample("runStarted"), env_keys: ["B", "A"] })).toEqual([{ code: "INVARIANT_VIOLATED", path: "env_keys.1" }]);
  });

  test("rejects an agent shim upstream does not know", () => {
    expect(check({ ...sample("runStarted"), agent_shim: "langchain" })).toEqual([{ code: "FIELD_INVALID", path: "agent_shim" }]);
  });
});
