import { describe, expect, test } from "bun:test";
import { classifyPathId, compileRulesOrThrow, PathClassifier, sortUniqueCodePoints } from "../../src/projection/index.ts";
import { generatePaths, generateRules } from "../fixtures/projection/path-sets.ts";

describe("PathClassifier", () => {
  const compiled = compileRulesOrThrow(generateRules(1000, "builtin"));

  test("answers most paths of a sorted set from their directory's verdict, and each as path-by-path lookups would", () => {
    const sorted = sortUniqueCodePoints(generatePaths(50_000, 11));
    const classifier = new PathClassifier(compiled);
    const ids = sorted.map((path) => classifier.classify(path));
    // 56 % on this (seeded, so fixed) set: run directories and package trees hold many files each, /proc/<pid> few.
    expect({ reusedShare: classifier.reusedDirectories / sorted.length > 0.5, ids }).toEqual({
      reusedShare: true,
      ids: sorted.map((path) => classifyPathId(path, compiled)),
    });
  });

  test("takes the full lookups where a rule names a file of the directory", () => {
    const rules = compileRulesOrThrow({
      schema: "assay.runner.projection_rules.v0",
      workload: { input: ["/w/in.txt"] },
      workdir_prefixes: ["/w"],
      heuristics: "builtin",
    });
    const classifier = new PathClassifier(rules);
    const paths = ["/w/a.txt", "/w/b.txt", "/w/in.txt", "/w/z.txt"];
    expect({ ids: paths.map((p) => classifier.classify(p)), reused: classifier.reusedDirectories }).toEqual({
      ids: paths.map((p) => classifyPathId(p, rules)),
      reused: 0,
    });
  });
});
