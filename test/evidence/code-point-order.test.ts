import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { compareCodePoints, sortByCodePoint, sortUnique, textHasSurrogate } from "../../src/evidence/index.ts";

const encoder = new TextEncoder();

// Units where UTF-16 order and UTF-8 order part ways: U+E000–U+FFFF against astral characters.
const tricky = fc
  .array(fc.constantFrom("a", "z", "é", "数", "\ue000", "\uf8ff", "\ufffd", "\uffff", "😀", "\u{10000}", "\u{10ffff}"), { maxLength: 4 })
  .map((chars) => chars.join(""));

function byUtf8Bytes(strings: Iterable<string>): string[] {
  return [...new Set(strings)].sort((a, b) => Buffer.compare(encoder.encode(a), encoder.encode(b)));
}

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

describe("sortByCodePoint and sortUnique against Buffer.compare of the UTF-8 bytes", () => {
  test("sortUnique of shuffled lists with astral and U+E000–U+FFFF items equals UTF-8 byte order", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(tricky, fc.string({ unit: "grapheme" })), { maxLength: 60 }), (strings) => {
        expect(sortUnique(strings)).toEqual(byUtf8Bytes(strings));
        expect(sortUnique(new Set(strings))).toEqual(byUtf8Bytes(strings));
      }),
    );
  });

  test("an already sorted list comes back unchanged, astral or not", () => {
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 60 }), (strings) => {
        const sorted = byUtf8Bytes(strings);
        expect(sortByCodePoint([...sorted])).toEqual(sorted);
      }),
    );
  });

  test("sorts in place and trusts the caller's surrogate hint only for surrogate-free lists", () => {
    const items = ["\uffff", "b", "\ue000", "a"];
    expect([sortByCodePoint(items, false) === items, items]).toEqual([true, ["a", "b", "\ue000", "\uffff"]]);
    expect(sortByCodePoint(["😀", "\uffff", "\ue000"], true)).toEqual(["\ue000", "\uffff", "😀"]);
  });

  test("textHasSurrogate finds astral characters and lone surrogates, nothing else", () => {
    expect(["abc", "é\uffff", "x😀", "\ud800", ""].map(textHasSurrogate)).toEqual([false, false, true, true, false]);
  });
});
