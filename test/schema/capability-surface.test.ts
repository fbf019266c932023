import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { SURFACE_FIELDS, validateDocument } from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "capability-surface.json" }));

// Reference order: compare the UTF-8 encodings byte by byte.
function byUtf8(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}

describe("CapabilitySurfaceSchema", () => {
  test("accepts sorted, duplicate-free sets", () => {
    expect(check(sample("surface"))).toEqual([]);
  });

  test.each(SURFACE_FIELDS)("rejects an unsorted %s, pointing at the first item out of order", (field) => {
    expect(check({ ...sample("surface"), [field]: ["b", "a"] })).toEqual([{ code: "INVARIANT_VIOLATED", path: `${field}.1` }]);
  });

  test("rejects a duplicate item", () => {
    expect(check({ ...sample("surface"), mcp_tools: ["read_file", "read_file"] })).toEqual([{ code: "INVARIANT_VIOLATED", path: "mcp_tools.1" }]);
  });

  test("orders by UTF-8 bytes, not UTF-16 units: U+FFFD sorts before an astral character", () => {
    // UTF-16 puts "\u{1F600}" (surrogates D83D…) before "\uFFFD"; UTF-8 bytes put it after.
    expect(check({ ...sample("surface"), filesystem_paths: ["/\uFFFD", "/\u{1F600}"] })).toEqual([]);
    expect(check({ ...sample("surface"), filesystem_paths: ["/\u{1F600}", "/\uFFFD"] })).toEqual([{ code: "INVARIANT_VIOLATED", path: "filesystem_paths.1" }]);
  });

  test("accepts exactly the lists that are strictly increasing in UTF-8 byte order", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 6 }), { maxLength: 8 }), (items) => {
        const increasing = items.every((item, i) => i === 0 || byUtf8(items[i - 1] as string, item) < 0);
        const accepted = check({ ...sample("surface"), filesystem_paths: items }).length === 0;
        expect(accepted).toBe(increasing);
        const sorted = [...new Set(items)].sort(byUtf8);
        expect(check({ ...sample("surface"), filesystem_paths: sorted })).toEqual([]);
      }),
    );
  });

  test("rejects a missing set", () => {
    const { mcp_tools: _, ...doc } = sample("surface");
    expect(check(doc)).toEqual([{ code: "FIELD_MISSING", path: "mcp_tools" }]);
  });
});
