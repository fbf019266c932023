import { describe, expect, test } from "bun:test";
import { formatIssue, validateDocument, validateMember } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

describe("validateDocument", () => {
  test("chooses the schema by the document's schema string and returns the parsed value", () => {
    const result = validateDocument(sample("surface"), { file: "s.json" });
    expect<unknown>(result).toEqual({ ok: true, value: sample("surface") });
  });

  test("names an unknown schema string, with the file, member and line it came from", () => {
    const result = validateDocument({ schema: "assay.runner.kernel_event.v1" }, { file: "a.tar.gz", member: "layers/kernel.ndjson", line: 7 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => ({ code: i.code, file: i.file, member: i.member, line: i.line, path: i.path }))).toEqual([
      { code: "SCHEMA_UNKNOWN", file: "a.tar.gz", member: "layers/kernel.ndjson", line: 7, path: "schema" },
    ]);
  });

  test("rejects a document without a schema string, and a value that is not an object", () => {
    expect(codesAndPaths(validateDocument({ run_id: "x" }, { file: "f" }))).toEqual([{ code: "SCHEMA_MISSING", path: "schema" }]);
    expect(codesAndPaths(validateDocument([1], { file: "f" }))).toEqual([{ code: "DOCUMENT_NOT_OBJECT", path: "" }]);
    expect(codesAndPaths(validateDocument(null, { file: "f" }))).toEqual([{ code: "DOCUMENT_NOT_OBJECT", path: "" }]);
  });

  test("writes messages a user can act on: file, line, field, expected and received", () => {
    const result = validateDocument({ ...sample("openat"), pid: -1 }, { file: "kernel.ndjson", line: 4 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual(["kernel.ndjson:4: › pid: kernel_event.v0 row: field pid: expected an integer >= 0, received -1"]);
  });

  test("leaves member and line out of an issue when they are not known", () => {
    const result = validateDocument({ ...sample("surface"), run_id: 5 }, { file: "s.json" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        code: "FIELD_INVALID",
        file: "s.json",
        path: "run_id",
        expected: "string",
        received: "5",
        message: "capability_surface.v0: field run_id: expected string, received 5",
      },
    ]);
  });
});

describe("validateMember", () => {
  test("accepts a document of the schema the member holds", () => {
    expect(validateMember("capability-surface.json", sample("surface"), { file: "a.tar.gz" }).ok).toBe(true);
  });

  test("rejects a valid document found in the wrong member", () => {
    expect(codesAndPaths(validateMember("observation-health.json", sample("surface"), { file: "a.tar.gz" }))).toEqual([
      { code: "SCHEMA_MISMATCH", path: "schema" },
    ]);
  });
});
