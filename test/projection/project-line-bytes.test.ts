import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ByteClassifier, compileRulesOrThrow, projectLineBytes, projectPaths, type CompiledRules } from "../../src/projection/index.ts";
import { pathsFile, readerLines, rulesArb } from "../fixtures/projection/byte-inputs.ts";
import { generatePaths, generateRules } from "../fixtures/projection/path-sets.ts";

// The document of a whole input from the byte core (a BOM at the very start skipped, as the feeder does).
function documentOf(bytes: Uint8Array, compiled: CompiledRules) {
  const classifier = ByteClassifier.create(compiled)!;
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  classifier.input(bytes.length).set(bytes.subarray(start));
  return projectLineBytes(classifier, bytes.length - start);
}

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe("projectLineBytes", () => {
  test("equals projectPaths over the reader's lines, or declines (undefined) when a line is not UTF-8", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, (r, bytes) => {
        const compiled = compileRulesOrThrow(r);
        const expected = isUtf8(bytes) ? projectPaths(readerLines(bytes), compiled) : undefined;
        expect(documentOf(bytes, compiled)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  test("treats the input as a set: repeats, in any order, count once", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, fc.nat(), (r, bytes, seed) => {
        fc.pre(isUtf8(bytes));
        const compiled = compileRulesOrThrow(r);
        const lines = readerLines(bytes);
        const repeated = [...lines, ...lines.slice(0, seed % 5)].reverse();
        expect(documentOf(new TextEncoder().encode(repeated.join("\n")), compiled)).toEqual(projectPaths(lines, compiled));
      }),
      { numRuns: 300 },
    );
  });

  test("gives the string engine's document on the bench's generated mix with repeats", () => {
    for (const heuristics of ["none", "builtin"] as const) {
      const compiled = compileRulesOrThrow(generateRules(1000, heuristics));
      const paths = generatePaths(100_000, 4);
      expect(documentOf(new TextEncoder().encode(`${paths.join("\n")}\n`), compiled)).toEqual(projectPaths(paths, compiled));
    }
  });
});
