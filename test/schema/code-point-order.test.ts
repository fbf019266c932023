import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  compareCodePoints,
  firstUnsortedIndex,
  hasHighUnits,
  isStrictlyAscending,
  sortByCodePoint,
  sortUnique,
  textHasSurrogate,
} from "../../src/schema/index.ts";

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

  test("long astral lists sharing long stems (the multikey sort's partitioning and stem skips) equal UTF-8 byte order", () => {
    const stem = fc.constantFrom("", "/home/user/project/src/", "/tmp/\u{1f600}/cache/entries/");
    fc.assert(
      fc.property(fc.array(fc.tuple(stem, tricky), { minLength: 17, maxLength: 300 }), (pairs) => {
        const strings = pairs.map(([prefix, tail]) => prefix + tail);
        expect(sortUnique(strings)).toEqual(byUtf8Bytes(strings));
      }),
      { numRuns: 200 },
    );
  });

  test("never modifies its input", () => {
    const input = ["b", "\u{1f600}", "a", "\ue000", "a"];
    sortUnique(input);
    expect(input).toEqual(["b", "\u{1f600}", "a", "\ue000", "a"]);
  });

  test("textHasSurrogate finds astral characters and lone surrogates, nothing else", () => {
    expect(["abc", "é\uffff", "x😀", "\ud800", ""].map(textHasSurrogate)).toEqual([false, false, true, true, false]);
  });
});

describe("firstUnsortedIndex, isStrictlyAscending and hasHighUnits", () => {
  test("agree with UTF-8 byte order on adjacent pairs, strict or not", () => {
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 30 }), (strings) => {
        const byBytes = (i: number) => compareUtf8(strings[i - 1] as string, strings[i] as string);
        const strictAt = strings.findIndex((_, i) => i > 0 && byBytes(i) >= 0);
        const looseAt = strings.findIndex((_, i) => i > 0 && byBytes(i) > 0);
        expect([firstUnsortedIndex(strings), firstUnsortedIndex(strings, false), isStrictlyAscending(strings)]).toEqual([strictAt, looseAt, strictAt < 0]);
      }),
    );
  });

  test("a sorted set is strictly ascending, and a repeat is not", () => {
    expect([isStrictlyAscending(["a", "\ue000", "\u{1f600}"]), isStrictlyAscending(["a", "\u{1f600}", "\ue000"]), isStrictlyAscending(["a", "a"])]).toEqual([
      true,
      false,
      false,
    ]);
  });

  test("hasHighUnits finds units at or above U+D800 only", () => {
    expect(["abc", "é数", "\ue000", "x\u{1f600}", ""].map(hasHighUnits)).toEqual([false, false, true, true, false]);
  });
});
