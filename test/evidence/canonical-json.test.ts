import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { canonicalJson, canonicalJsonBytes, JsonUnrepresentableError } from "../../src/evidence/index.ts";
import { exactJsonValue } from "./_json-arbitrary.ts";

describe("canonicalJson", () => {
  test("keeps the caller's key order and orders nothing itself", () => {
    expect(canonicalJson({ schema: "s", run_id: "r", b: 1, a: [3, 1, 2] })).toBe('{"schema":"s","run_id":"r","b":1,"a":[3,1,2]}');
  });

  test("keeps a Map's key order, even for integer-like keys a plain object would move first", () => {
    const map = new Map<string, unknown>([
      ["b", 1],
      ["10", 2],
      ["a", 3],
    ]);
    expect(canonicalJson(map)).toBe('{"b":1,"10":2,"a":3}');
  });

  test("omits undefined properties and prints null ones", () => {
    expect(canonicalJson({ a: undefined, b: null, c: { d: undefined } })).toBe('{"b":null,"c":{}}');
  });

  test("prints bigint exactly, beyond 2^64 too", () => {
    expect(canonicalJson({ cgroup_id: 18446744073709551615n, x: -9007199254740993n, y: 2n ** 70n })).toBe(
      '{"cgroup_id":18446744073709551615,"x":-9007199254740993,"y":1180591620717411303424}',
    );
  });

  test("escapes strings like serde_json: short escapes, lowercase \\u00xx for other C0, the rest raw", () => {
    const text = '"\\\b\f\n\r\t\u0000\u0001\u001f /\u007f\u2028\u2029é😀\ue000';
    expect(canonicalJson(text)).toBe('"\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f /\u007f\u2028\u2029é😀\ue000"');
  });

  test("escapes every C0 control character as serde_json does", () => {
    const short: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
    for (let c = 0; c < 0x20; c++) {
      const expected = short[c] ?? `\\u${c.toString(16).padStart(4, "0")}`;
      expect(canonicalJson(String.fromCharCode(c))).toBe(`"${expected}"`);
    }
  });

  test("prints compact arrays and nested objects", () => {
    expect(canonicalJson([[], {}, [{ a: [true, false, null] }], "x", 0, -5])).toBe('[[],{},[{"a":[true,false,null]}],"x",0,-5]');
  });

  test("encodes to UTF-8 bytes", () => {
    expect([...canonicalJsonBytes({ k: "é" })]).toEqual([...new TextEncoder().encode('{"k":"é"}')]);
  });

  test("agrees with JSON.stringify on JSON values without bigint or unsafe integers", () => {
    fc.assert(
      fc.property(exactJsonValue, (value) => {
        expect(canonicalJson(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  test("prints the same bytes on its careful path (taken once a bigint is present) as JSON.stringify does", () => {
    fc.assert(
      fc.property(exactJsonValue, (value) => {
        expect(canonicalJson({ big: 1n, rest: value })).toBe(`{"big":1,"rest":${JSON.stringify(value)}}`);
      }),
    );
  });

  describe("refuses values with no faithful JSON form", () => {
    const cases: [string, unknown, string][] = [
      ["a lone surrogate", { a: ["\ud800"] }, "a[0]"],
      ["a number beyond 2^53", { flags: 2 ** 60 }, "flags"],
      ["NaN", { x: { y: Number.NaN } }, "x.y"],
      ["Infinity", [Infinity], "[0]"],
      ["an undefined array element", [1, undefined], "[1]"],
      ["a function", { f: () => 1 }, "f"],
      ["a Date", { d: new Date(0) }, "d"],
      ["a symbol", Symbol("s"), ""],
    ];
    for (const [name, value, path] of cases) {
      test(`such as ${name}`, () => {
        let error: unknown;
        try {
          canonicalJson(value);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(JsonUnrepresentableError);
        expect((error as JsonUnrepresentableError).path).toBe(path);
      });
    }

    test("such as a cycle", () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => canonicalJson(cyclic)).toThrow(JsonUnrepresentableError);
    });
  });

  test("prints a shared (non-cyclic) object twice", () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
