import { describe, expect, test } from "bun:test";
import { decodeLossy, rustLines, rustSplitWhitespace, rustTrim } from "../../src/run/ingest-lines.ts";

describe("Rust text semantics", () => {
  test("rustLines splits like str::lines: CRLF stripped, no empty last line, a final bare CR kept", () => {
    expect([rustLines(""), rustLines("\n"), rustLines("a\r\nb\n\nc"), rustLines("a\rb\r"), rustLines("x\n\n")]).toEqual([
      [],
      [""],
      ["a", "b", "", "c"],
      ["a\rb\r"],
      ["x", ""],
    ]);
  });

  test("rustTrim and rustSplitWhitespace use Unicode White_Space (U+0085 yes, U+FEFF no)", () => {
    expect([rustTrim("\u0085 a \u3000"), rustTrim("\ufeffa"), rustSplitWhitespace(" a\u00a0b\u0085c\ufeffd ")]).toEqual([
      "a",
      "\ufeffa",
      ["a", "b", "c\ufeffd"],
    ]);
  });

  test("decodeLossy replaces each invalid sequence with U+FFFD and keeps a BOM", () => {
    expect(decodeLossy(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0xe2, 0x82, 0x62]))).toEqual("\ufeffa\ufffd\ufffdb");
  });
});
