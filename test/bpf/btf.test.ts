import { describe, expect, test } from "bun:test";
import { functionBtf } from "../../src/bpf/btf.ts";

describe("functionBtf", () => {
  test("lays out header, int, prototype and one static FUNC per name, with their names in the string section", () => {
    const blob = functionBtf(["main", "argv_one"]);
    const view = new DataView(blob.buffer);
    const typeLength = view.getUint32(12, true);
    const strings = new TextDecoder().decode(blob.subarray(24 + typeLength)).split("\0");
    const words = Array.from({ length: typeLength / 4 }, (_, i) => view.getUint32(24 + 4 * i, true));
    expect({
      magic: view.getUint16(0, true).toString(16),
      header: [view.getUint8(2), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(16, true)],
      strings,
      kinds: [words[1]! >>> 24, words[5]! >>> 24, words[8]! >>> 24, words[11]! >>> 24],
      funcTypes: [words[9], words[12]],
    }).toEqual({ magic: "eb9f", header: [1, 24, 0, typeLength], strings: ["", "int", "main", "argv_one", ""], kinds: [1, 13, 12, 12], funcTypes: [2, 2] });
  });
});
