import { describe, expect, test } from "bun:test";
import { checkLayer } from "../../src/schema/index.ts";

const rows = (...seqs: number[]) => seqs.map((seq, i) => ({ line: i + 1, value: { run_id: "run_001", seq } }));

describe("checkLayer", () => {
  test("accepts rows numbered 0, 1, 2 of one run", () => {
    expect(checkLayer(rows(0, 1, 2), { file: "k" })).toEqual([]);
  });

  test("reports a gap in seq at the row where it shows", () => {
    expect(
      checkLayer(rows(0, 2), { file: "k", member: "layers/kernel.ndjson" }).map(({ code, line, member, expected, received }) => ({
        code,
        line,
        member,
        expected,
        received,
      })),
    ).toEqual([{ code: "SEQ_OUT_OF_ORDER", line: 2, member: "layers/kernel.ndjson", expected: "1", received: "2" }]);
  });

  test("compares bigint and number seq values exactly", () => {
    expect(checkLayer([{ line: 1, value: { run_id: "r", seq: 0n } }], { file: "k" })).toEqual([]);
  });
});
