import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { NdjsonLineSplitter, type NdjsonLine } from "../../src/evidence/ndjson-lines.ts";

function split(chunks: readonly string[], max = 1000): (string | number)[] {
  const out: (string | number)[] = [];
  const splitter = new NdjsonLineSplitter(max, (line: NdjsonLine) =>
    out.push(line.overlong ? -line.length : `${line.line}:${Buffer.from(line.bytes).toString("utf8")}`),
  );
  for (const chunk of chunks) splitter.write(Buffer.from(chunk));
  splitter.end();
  return out;
}

describe("NdjsonLineSplitter", () => {
  test("numbers lines from 1, keeps blank ones, and hands over a last line without newline", () => {
    expect(split(["a\n\nb", "c\nd"])).toEqual(["1:a", "2:", "3:bc", "4:d"]);
  });

  test("reports a line over the cap by length only, and goes on with the next", () => {
    expect(split(["short\n", "x".repeat(7), "y".repeat(7), "\nok\n"], 10)).toEqual(["1:short", -14, "3:ok"]);
  });

  test("gives the same lines however the bytes are chunked", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 20 }), fc.array(fc.nat(50), { maxLength: 10 }), (lines, cuts) => {
        const text = lines.map((l) => l.replaceAll("\n", "")).join("\n");
        const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let last = 0;
        for (const point of points) {
          chunks.push(text.slice(last, point));
          last = point;
        }
        chunks.push(text.slice(last));
        expect(split(chunks)).toEqual(split([text]));
      }),
    );
  });
});
