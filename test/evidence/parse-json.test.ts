import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { canonicalJson, JsonSyntaxError, parseJson } from "../../src/evidence/index.ts";
import { exactJsonValue } from "./_json-arbitrary.ts";

describe("parseJson", () => {
  test("returns what JSON.parse returns for ordinary JSON", () => {
    const text = '{"schema":"assay.runner.kernel_event.v0","seq":4,"pid":246274,"x":[1.5,-2e3,null,true,"a\\u00e9\\n"]}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  test("keeps integers beyond 2^53 exact as bigint and safe ones as number", () => {
    const text = '{"cgroup_id":18446744073709551615,"neg":-9007199254740993,"max":9007199254740991,"s":"12345678901234567890"}';
    expect(parseJson(text)).toEqual({ cgroup_id: 18446744073709551615n, neg: -9007199254740993n, max: 9007199254740991, s: "12345678901234567890" });
  });

  test("keeps long non-integer literals as numbers", () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the expected values are the doubles the literals round to
    expect(parseJson("[12345678901234567890.5,12345678901234567890e0]")).toEqual([12345678901234567890.5, 12345678901234567890]);
  });

  test("round-trips through canonicalJson byte for byte, u64 values included", () => {
    const text = '{"schema":"k","flags":18446744073709551615,"mode":438,"cgroup_id":9007199254740993,"value":"/tmp/\\u0001x"}';
    expect(canonicalJson(parseJson(text))).toBe(text);
  });

  test("handles escapes, whitespace and a __proto__ key on the exact path like JSON.parse", () => {
    const text = ' { "__proto__" : 1 , "a\\"\\\\\\/\\b\\f\\n\\r\\t\\ud83d\\ude00" : [ ] , "n" : 12345678901234567 } ';
    const value = parseJson(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", 'a"\\/\b\f\n\r\t😀', "n"]);
    expect(value.n).toBe(12345678901234567n);
  });

  test("agrees with JSON.parse on generated JSON text whenever no integer is unsafe", () => {
    fc.assert(
      fc.property(exactJsonValue, (value) => {
        const text = JSON.stringify(value, null, 1);
        // Force the exact parser by appending a long digit run inside a string.
        const forced = `[${text},"1234567890123456"]`;
        expect(parseJson(forced)).toEqual(JSON.parse(forced));
      }),
    );
  });

  describe("rejects text that is not JSON, with the position", () => {
    const cases: [string, string, number, number][] = [
      ["a trailing comma", '{"a":1,}', 1, 8],
      ["a missing value", '{"a":}', 1, 6],
      ["garbage after the value", "[1] x", 1, 5],
      ["an unterminated string", '"abc', 1, 5],
      ["a raw control character", '["a\u0001"]', 1, 4],
      ["a bad escape", '"\\x"', 1, 2],
      ["a leading zero", "01", 1, 2],
      ["a lone minus", "-", 1, 1],
      ["NaN", "NaN", 1, 1],
      ["an empty text", "", 1, 1],
      ["an error on a later line", '{\n  "a": 1,\n  "b": tru\n}', 3, 8],
      ["a long integer then garbage", "[12345678901234567890 1]", 1, 23],
    ];
    for (const [name, text, line, column] of cases) {
      test(`such as ${name}`, () => {
        let error: unknown;
        try {
          parseJson(text);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(JsonSyntaxError);
        const { code, exitCode } = error as JsonSyntaxError;
        expect({ line: (error as JsonSyntaxError).line, column: (error as JsonSyntaxError).column, code, exitCode }).toEqual({
          line,
          column,
          code: "JSON_SYNTAX",
          exitCode: 2,
        });
      });
    }
  });

  test("rejects nesting deeper than 512 levels instead of overflowing the stack", () => {
    expect(() => parseJson(`${"[".repeat(100_000)}1234567890123456${"]".repeat(100_000)}`)).toThrow(JsonSyntaxError);
  });
});
