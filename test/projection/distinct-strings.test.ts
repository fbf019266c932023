import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { distinctStrings } from "../../src/projection/distinct-strings.ts";

describe("distinctStrings", () => {
  test("keeps each value once, at its first occurrence, in input order", () => {
    expect(distinctStrings(["/b", "/a", "/b", "", "/a", "/c", ""])).toEqual(["/b", "/a", "", "/c"]);
  });

  test("tells values apart by content when their hashes collide, pairwise and in large groups", () => {
    const values = ["/x", "/y", "/x", "/z", "/y"];
    const many = Array.from({ length: 100 }, (_, i) => `/p${i % 40}`);
    // A constant hash puts every value in one group: 5 values are compared pairwise, 100 through a Set.
    expect({ few: distinctStrings(values, () => 7), many: distinctStrings(many, () => 7) }).toEqual({
      few: ["/x", "/y", "/z"],
      many: Array.from({ length: 40 }, (_, i) => `/p${i}`),
    });
  });

  test("equals a Set's first-occurrence order on random input, with and without colliding hashes", () => {
    const value = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("/a", "/a/b", "\u{1F600}", "\uFFFF", "\uD800"));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (values, buckets) => {
        const expected = [...new Set(values)];
        expect(distinctStrings(values)).toEqual(expected);
        expect(distinctStrings(values, (s) => s.length % buckets)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
