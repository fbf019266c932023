import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { ProjectionRulesSchema, validateProjectionRules } from "../../src/schema/index.ts";

const SCHEMA = "assay.runner.projection_rules.v0";
const where = { file: "rules.json" };

// A list of paths as a rules file may hold one: mostly good paths, sometimes a bad item.
const pathItem = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("", 0, null, ["/a"], { path: "/a" }) },
);
const pathList = fc.oneof({ weight: 6, arbitrary: fc.array(pathItem, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>("/a", {}, null) });
const rulesDocument = fc.record(
  {
    schema: fc.constant(SCHEMA),
    workload: fc.record({ input: pathList, output: pathList, scratch: pathList }, { requiredKeys: [] }),
    workdir_prefixes: pathList,
    sample_limit: fc.constantFrom(0, 3, -1),
  },
  { requiredKeys: ["schema"] },
);

describe("validateProjectionRules", () => {
  test("gives what the item-by-item schema gives, for any lists of paths", () => {
    fc.assert(
      fc.property(rulesDocument, (document) => {
        const precise = v.safeParse(ProjectionRulesSchema, document);
        const result = validateProjectionRules(document, where);
        expect(result.ok).toBe(precise.success);
        if (result.ok && precise.success) expect(result.value).toEqual(precise.output);
      }),
      { numRuns: 500 },
    );
  });

  test("a bad item in a long list of paths is named by its place", () => {
    const prefixes = Array.from({ length: 1000 }, (_, i) => `/work/run_${i}`);
    prefixes[617] = "";
    const input = ["/in/a", 7];
    const result = validateProjectionRules({ schema: SCHEMA, workload: { input }, workdir_prefixes: prefixes }, where);
    expect(result.ok ? [] : result.issues.map((issue) => [issue.file, issue.path])).toEqual([
      ["rules.json", "workload.input.1"],
      ["rules.json", "workdir_prefixes.617"],
    ]);
  });

  test("a hole in a list is refused, as the item-by-item schema refuses it", () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    const result = validateProjectionRules({ schema: SCHEMA, workdir_prefixes: ["/a", , "/b"] }, where);
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(["workdir_prefixes.1"]);
  });

  test("defaults are fresh lists, never shared between two files", () => {
    const first = validateProjectionRules({ schema: SCHEMA }, where);
    const second = validateProjectionRules({ schema: SCHEMA }, where);
    if (!first.ok || !second.ok) throw new Error("a minimal rules file was refused");
    first.value.workdir_prefixes.push("/mutated");
    expect(second.value.workdir_prefixes).toEqual([]);
  });
});
