import { describe, expect, test } from "bun:test";
import { parseJson } from "../../src/evidence/index.ts";
import { validateText } from "../../src/schema/index.ts";
import { sample } from "./_documents.ts";

const where = { file: "f" };
const summary = (text: string) => {
  const r = validateText(text, where, parseJson);
  return { format: r.format, count: r.count, schemas: r.schemas, issues: r.issues.map(({ code, line, path }) => ({ code, line, path })) };
};
const ndjson = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

describe("validateText", () => {
  test("reads a pretty-printed document as one JSON document", () => {
    expect(summary(JSON.stringify(sample("surface"), null, 2))).toEqual({
      format: "json",
      count: 1,
      schemas: { "assay.runner.capability_surface.v0": 1 },
      issues: [],
    });
  });

  test("reads several lines as NDJSON rows, skipping blank lines but counting them", () => {
    const rows = [sample("runStarted"), sample("runFinished")];
    const text = `${JSON.stringify(rows[0])}\r\n\n${JSON.stringify({ ...rows[1], seq: 5 })}\n`;
    expect(summary(text)).toEqual({
      format: "ndjson",
      count: 2,
      schemas: { "assay.runner.event.v0": 2 },
      issues: [{ code: "SEQ_OUT_OF_ORDER", line: 3, path: "seq" }],
    });
  });

  test("validates every row and reports each bad one with its line", () => {
    const rows = [sample("openat"), { ...sample("openat"), seq: 1, kind: "exec" }, { ...sample("openat"), seq: 2 }];
    const text = `${ndjson(rows)}not json\n`;
    expect(summary(text).issues).toEqual([
      { code: "INVARIANT_VIOLATED", line: 2, path: "event_type" },
      { code: "JSON_SYNTAX", line: 4, path: "" },
    ]);
  });

  test("treats empty text as an empty NDJSON layer", () => {
    expect(summary("")).toEqual({ format: "ndjson", count: 0, schemas: {}, issues: [] });
  });

  test("reports text that is not JSON at all once, not per line", () => {
    expect(summary('{\n  "schema": \n')).toEqual({ format: "json", count: 0, schemas: {}, issues: [{ code: "JSON_SYNTAX", line: undefined, path: "" }] });
  });

  test("rejects rows of different schemas in one NDJSON file", () => {
    expect(summary(ndjson([sample("openat"), sample("sdk")])).issues).toEqual([{ code: "LAYER_MIXED_SCHEMAS", line: undefined, path: "schema" }]);
  });

  test("rejects rows of different runs in one layer", () => {
    expect(summary(ndjson([sample("sdk"), { ...sample("sdk"), seq: 1, run_id: "run_002" }])).issues).toEqual([
      { code: "RUN_ID_MISMATCH", line: 2, path: "run_id" },
    ]);
  });

  test("keeps kernel flags beyond 2^53 exact through the lossless parser", () => {
    const text = JSON.stringify(sample("openat")).replace('"flags":577', '"flags":9223372036854776385');
    const result = validateText(text, where, parseJson);
    expect(result.issues).toEqual([]);
    expect((result.documents[0] as { flags?: unknown }).flags).toBe(9223372036854776385n);
  });
});
