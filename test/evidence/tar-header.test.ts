import { describe, expect, test } from "bun:test";
import { TAR_END, tarHeader, tarPadding } from "../../src/evidence/tar-header.ts";

const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

describe("tarHeader", () => {
  test("lays out every field as upstream's tar crate does (§1.2)", () => {
    const header = tarHeader("layers/kernel.ndjson", 8061);
    const sum = [...header].reduce((total, b, i) => total + (i >= 148 && i < 156 ? 0x20 : b), 0);
    expect({
      length: header.length,
      name: ascii(header.subarray(0, 100)).replace(/\0+$/, ""),
      mode: ascii(header.subarray(100, 108)),
      uid: ascii(header.subarray(108, 116)),
      gid: ascii(header.subarray(116, 124)),
      size: ascii(header.subarray(124, 136)),
      mtime: ascii(header.subarray(136, 148)),
      checksum: ascii(header.subarray(148, 156)),
      typeflag: header[156],
      linkname: header.subarray(157, 257).every((b) => b === 0),
      magic: ascii(header.subarray(257, 265)),
      uname: ascii(header.subarray(265, 297)).replace(/\0+$/, ""),
      gname: ascii(header.subarray(297, 329)).replace(/\0+$/, ""),
      rest: header.subarray(329).every((b) => b === 0),
    }).toEqual({
      length: 512,
      name: "layers/kernel.ndjson",
      mode: "0000644\0",
      uid: "0000000\0",
      gid: "0000000\0",
      size: "00000017575\0",
      mtime: "00000000000\0",
      checksum: `${sum.toString(8).padStart(7, "0")}\0`,
      typeflag: 0,
      linkname: true,
      magic: "ustar  \0",
      uname: "assay",
      gname: "assay",
      rest: true,
    });
  });

  test("refuses names that need long-name records and sizes beyond 11 octal digits", () => {
    expect(() => tarHeader("x".repeat(100), 0)).toThrow(RangeError);
    expect(() => tarHeader("a", 8 ** 11)).toThrow(RangeError);
  });
});

describe("tarPadding and TAR_END", () => {
  test("pad data to whole blocks and end with exactly two zero blocks", () => {
    expect({ pads: [0, 1, 511, 512, 513].map(tarPadding), end: TAR_END.length, zero: TAR_END.every((b) => b === 0) }).toEqual({
      pads: [0, 511, 1, 0, 511],
      end: 1024,
      zero: true,
    });
  });
});
