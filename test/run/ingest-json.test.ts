import { describe, expect, test } from "bun:test";
import { parseSerdeJson, rawTokenAsU64, topLevelRawValue } from "../../src/run/ingest-json.ts";

describe("serde_json acceptance", () => {
  test("parseSerdeJson refuses what serde_json refuses and JSON.parse accepts", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(['"\\udc00"', "1e400", deep(128), deep(127), '{"a":1}'].map((t) => parseSerdeJson(t).ok)).toEqual([false, false, false, true, true]);
  });

  test("topLevelRawValue finds the raw text of the last top-level key, skipping nested ones", () => {
    const text = ' { "seq" : 1.0 , "x" : {"seq": 7, "s": "}\\"seq"}, "s\\u0065q": 3 ,"y":[1,{"seq":2}]}';
    expect([topLevelRawValue(text, "seq"), topLevelRawValue(text, "y"), topLevelRawValue("[1]", "seq")]).toEqual(["3", '[1,{"seq":2}]', undefined]);
  });

  test("rawTokenAsU64 accepts only unsigned integer literals up to 2^64-1", () => {
    expect(["0", "18446744073709551615", "18446744073709551616", "0.0", "1e0", "-0", "01"].map(rawTokenAsU64)).toEqual([
      0n,
      18446744073709551615n,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
