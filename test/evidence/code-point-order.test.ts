import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { compareCodePoints, sortUnique } from "../../src/evidence/index.ts";

const encoder = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(encoder.encode(a), encoder.encode(b));
}

describe("compareCodePoints", () => {
  test("puts U+E000–U+FFFF before astral characters, unlike UTF-16 order", () => {
    const strings = ["😀", "\uffff", "\ue000", "z", "é"];
    expect([...strings].sort()).toEqual(["z", "é", "😀", "\ue000", "\uffff"]);
    expect([...strings].sort(compareCodePoints)).toEqual(["z", "é", "\ue000", "\uffff", "😀"]);
  });

  test("orders a prefix first and equal strings as equal", () => {
    expect([compareCodePoints("ab", "abc") < 0, compareCodePoints("abc", "ab") > 0, compareCodePoints("x😀", "x😀")]).toEqual([true, true, 0]);
  });

  test("agrees with UTF-8 byte order on arbitrary well-formed strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(compareUtf8(a, b)));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(compareUtf8(a, b)));
      }),
    );
  });
});

describe("sortUnique", () => {
  test("sorts by UTF-8 bytes and drops duplicates, like a Rust BTreeSet<String>", () => {
    expect(sortUnique(["/tmp/b", "\ue000", "/tmp/a", "😀", "/tmp/b", "B"])).toEqual(["/tmp/a", "/tmp/b", "B", "\ue000", "😀"]);
  });

  test("accepts any iterable and returns a new array", () => {
    expect(sortUnique(new Set(["b", "a"]))).toEqual(["a", "b"]);
    expect(sortUnique([])).toEqual([]);
  });
});
