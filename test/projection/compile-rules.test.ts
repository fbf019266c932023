import { describe, expect, test } from "bun:test";
import { compileRules, parseRules } from "../../src/projection/index.ts";

const SCHEMA = "assay.runner.projection_rules.v0";

describe("compileRules", () => {
  test("fills defaults: no heuristics, sample limit 5, nothing declared", () => {
    const result = compileRules({ schema: SCHEMA });
    expect(result.ok && result.value.rules).toEqual({
      schema: SCHEMA,
      workload: { input: [], output: [], scratch: [] },
      workdir_prefixes: [],
      paths: [],
      heuristics: "none",
      network: { endpoints: {}, cidrs: [], hosts: {} },
      sample_limit: 5,
    });
    expect(result.ok && [result.value.heuristicsApplied, result.value.network.isDeclared]).toEqual([false, false]);
  });

  test("names the file and field of each problem", () => {
    const result = compileRules(
      { schema: SCHEMA, paths: [{ raw_path: "/a", projected_path: "" }], sample_limit: -1, heuristics: [{ pattern: "**/x/**", class: "workload_fixture" }] },
      { file: "rules.json" },
    );
    expect(result.ok ? [] : result.issues.map((i) => [i.file, i.path])).toEqual([
      ["rules.json", "paths.0.projected_path"],
      // The union of "builtin" | "none" | list reports the item's field, not the whole setting.
      ["rules.json", "heuristics.0.class"],
      ["rules.json", "sample_limit"],
    ]);
  });

  test("a sample_limit that is not a count says what was expected and what was received, once", () => {
    const messages = [-1, 1.5].map((limit) => {
      const result = compileRules({ schema: SCHEMA, sample_limit: limit }, { file: "rules.json" });
      return result.ok ? "" : result.issues.map((i) => i.message).join("; ");
    });
    expect(messages).toEqual([
      "projection_rules.v0: field sample_limit: expected an integer >= 0, received -1",
      "projection_rules.v0: field sample_limit: expected an integer, received 1.5",
    ]);
  });

  test("an empty glob pattern is shown as the empty string, at its place in the list", () => {
    const result = compileRules({ schema: SCHEMA, heuristics: ["builtin", { pattern: "", class: "cache" }] }, { file: "rules.json" });
    expect(result.ok ? [] : result.issues.map((i) => [i.path, i.received, i.message])).toEqual([
      ["heuristics.1.pattern", '""', 'projection_rules.v0: field heuristics.1.pattern: expected a non-empty string, received ""'],
    ]);
  });

  test("rejects unknown fields and a wrong schema string", () => {
    const result = compileRules({ schema: "assay.runner.projection_rules.v1", prefixes: [] }, { file: "r.json" });
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(["schema", "prefixes"]);
  });

  test("expands `builtin` inside a heuristics list at its position", () => {
    const result = compileRules({ schema: SCHEMA, heuristics: [{ pattern: "**/mine/**", class: "cache" }, "builtin"] });
    const heuristics = result.ok ? result.value.heuristics : [];
    expect(heuristics[0]).toEqual({ pattern: "**/mine/**", class: "cache", rule: "heuristic_glob:**/mine/**" });
    expect(heuristics.length).toBeGreaterThan(10);
  });
});

describe("parseRules", () => {
  test("reports text that is not JSON as an issue naming the file", () => {
    const result = parseRules("{", "rules.json");
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.file])).toEqual([["JSON_INVALID", "rules.json"]]);
  });
});
