import { describe, expect, test } from "bun:test";
import { renderPythonJson } from "../../src/compare/index.ts";

describe("renderPythonJson", () => {
  test("lays out like json.dumps(indent=2) with one trailing newline and compact empties", () => {
    expect(renderPythonJson({ a: [1, "x"], b: {}, c: [], d: null, e: true })).toBe(
      '{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": {},\n  "c": [],\n  "d": null,\n  "e": true\n}\n',
    );
  });

  test("escapes non-ASCII, astral characters (as surrogate pairs), DEL and controls like ensure_ascii", () => {
    expect(renderPythonJson(["é", "\u{1F600}", "\x7f", '\x01\n\t"\\/', "\u2028"])).toBe(
      '[\n  "\\u00e9",\n  "\\ud83d\\ude00",\n  "\\u007f",\n  "\\u0001\\n\\t\\"\\\\/",\n  "\\u2028"\n]\n',
    );
  });

  test("sorts keys by code point when asked, so astral keys follow U+FF21", () => {
    expect(renderPythonJson({ "\u{1F600}": 1, "\uFF21": 2, b: 3, a: 4 }, { sortKeys: true })).toBe(
      '{\n  "a": 4,\n  "b": 3,\n  "\\uff21": 2,\n  "\\ud83d\\ude00": 1\n}\n',
    );
  });

  test("prints bigints exactly", () => {
    expect(renderPythonJson([18446744073709551615n])).toBe("[\n  18446744073709551615\n]\n");
  });
});
