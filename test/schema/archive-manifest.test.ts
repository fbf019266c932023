import { describe, expect, test } from "bun:test";
import { MANIFESTED_MEMBER_NAMES, MEMBER_NAMES, validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "manifest.json" }));

describe("ArchiveManifestSchema", () => {
  test("accepts a manifest listing exactly the seven non-manifest members", () => {
    expect(check(sample("manifest"))).toEqual([]);
  });

  test("lists the eight members with manifest.json first, then the rest in byte order", () => {
    expect(MEMBER_NAMES[0]).toBe("manifest.json");
    expect([...MANIFESTED_MEMBER_NAMES]).toEqual([...MANIFESTED_MEMBER_NAMES].sort());
    expect(MANIFESTED_MEMBER_NAMES.length).toBe(7);
  });

  test("rejects a manifest missing a member, naming the member", () => {
    const doc = sample("manifest");
    delete doc.files["layers/policy.ndjson"];
    expect(check(doc)).toEqual([{ code: "INVARIANT_VIOLATED", path: 'files["layers/policy.ndjson"]' }]);
  });

  test("rejects a manifest that lists itself", () => {
    const doc = sample("manifest");
    doc.files["manifest.json"] = { path: "manifest.json", sha256: `sha256:${"0".repeat(64)}`, bytes: 0 };
    expect(check(doc)).toEqual([{ code: "INVARIANT_VIOLATED", path: 'files["manifest.json"]' }]);
  });

  test("rejects an entry whose path differs from its key", () => {
    const doc = sample("manifest");
    doc.files["events.ndjson"] = { ...doc.files["events.ndjson"]!, path: "events.json" };
    expect(check(doc)).toEqual([{ code: "INVARIANT_VIOLATED", path: 'files["events.ndjson"].path' }]);
  });

  test.each([
    ["no sha256: prefix", "0".repeat(64)],
    ["uppercase hex", `sha256:${"A".repeat(64)}`],
    ["63 digits", `sha256:${"a".repeat(63)}`],
  ])("rejects a digest with %s", (_, digest) => {
    const doc = sample("manifest");
    doc.files["events.ndjson"] = { ...doc.files["events.ndjson"]!, sha256: digest };
    expect(check(doc)).toEqual([{ code: "FIELD_INVALID", path: 'files["events.ndjson"].sha256' }]);
  });

  test("rejects negative or fractional byte counts and accepts a bigint one", () => {
    const doc = sample("manifest");
    doc.files["events.ndjson"] = { ...doc.files["events.ndjson"]!, bytes: -1 };
    expect(check(doc)).toEqual([{ code: "FIELD_INVALID", path: 'files["events.ndjson"].bytes' }]);
    doc.files["events.ndjson"] = { ...doc.files["events.ndjson"]!, bytes: 1.5 };
    expect(check(doc)).toEqual([{ code: "FIELD_INVALID", path: 'files["events.ndjson"].bytes' }]);
    doc.files["events.ndjson"] = { ...doc.files["events.ndjson"]!, bytes: 1n << 60n };
    expect(check(doc)).toEqual([]);
  });
});
