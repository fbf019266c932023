import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  compileRulesOrThrow,
  classifyPathId,
  classifyPathIds,
  OPERATIONS,
  sortUniqueCodePoints,
  projectPaths,
  type CompiledRules,
} from "../../src/projection/index.ts";
import { referenceProjectPaths, referenceRules } from "./_reference.ts";
import type { ProjectionRulesInput } from "../../src/schema/index.ts";

// Segments chosen to collide with rules and built-in globs often, plus the awkward ones.
const segment = fc.constantFrom(
  "",
  "a",
  "b",
  "w",
  "..",
  ".",
  "x:y",
  "node_modules",
  "openai",
  "@google",
  "genai",
  "site-packages",
  ".cache",
  "etc",
  "cache",
  "node",
  "hosts",
  "usr",
  "lib",
  "lib64",
  "python3.12",
  "x86_64-linux-gnu",
  "libc.so.6",
  "zoneinfo",
  "share",
  "\u{1F600}",
  "\uFF21",
);
const pathBody = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 6 })).map(([absolute, segs]) => (absolute ? "/" : "") + segs.join("/"));
const operation = fc.constantFrom<string>(...OPERATIONS, "https", "READ", "exclusive", "");
const rawPath = fc.oneof({ weight: 3, arbitrary: pathBody }, { weight: 2, arbitrary: fc.tuple(operation, pathBody).map(([op, body]) => `${op}:${body}`) });
const glob = fc.oneof(
  segment.filter((s) => s !== "").map((s) => `**/${s}/**`),
  fc
    .tuple(segment, segment)
    .filter(([a, b]) => a !== "" && b !== "")
    .map(([a, b]) => `**/${a}/${b}/**`),
  segment.filter((s) => s !== "").map((s) => `**/${s}`),
  pathBody.filter((p) => p !== "" && !p.endsWith("/")).map((p) => `${p}/**`),
  pathBody.filter((p) => p !== ""),
  fc.tuple(pathBody, fc.constantFrom("*", "?", "**", "*.so*")).map(([p, w]) => `${p}${w}`),
);
const heuristicClass = fc.constantFrom("runtime_package", "provider_sdk", "loader", "experiment_harness", "cache" as const);
const rulesArb: fc.Arbitrary<ProjectionRulesInput> = fc.record({
  schema: fc.constant("assay.runner.projection_rules.v0" as const),
  workload: fc.record({
    input: fc.array(
      rawPath.filter((p) => p !== ""),
      { maxLength: 3 },
    ),
    output: fc.array(
      rawPath.filter((p) => p !== ""),
      { maxLength: 3 },
    ),
  }),
  workdir_prefixes: fc.array(
    fc.oneof(
      pathBody.filter((p) => p !== ""),
      fc.constantFrom("/usr", "/usr/lib", "/w", "/", "/etc/"),
    ),
    { maxLength: 5 },
  ),
  paths: fc.array(
    fc.record({ raw_path: rawPath.filter((p) => p !== ""), projected_path: fc.constantFrom("p/one", "p/two"), rule: fc.constantFrom("r1", "r2") }),
    { maxLength: 3 },
  ),
  heuristics: fc.oneof(
    fc.constant("none" as const),
    fc.constant("builtin" as const),
    fc.array(fc.oneof(fc.constant("builtin" as const), fc.record({ pattern: glob, class: heuristicClass })), { maxLength: 5 }),
  ),
  sample_limit: fc.integer({ min: 0, max: 4 }),
});
const paths = fc.array(rawPath, { maxLength: 40 });
// Paths crowded into a few directories (some where built-in globs end in a path's last segment), so
// sorting makes runs of one directory with varied last segments.
const crowdedDir = fc.oneof(
  pathBody,
  fc.constantFrom("/usr/bin", "/usr/lib", "/usr/local/lib", "/w/node_modules", "/w/node_modules/@google", "/etc", "/var", ""),
);
const crowdedPaths = fc
  .tuple(
    fc.array(crowdedDir, { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), segment, fc.option(operation, { nil: undefined })), { maxLength: 40 }),
  )
  .map(([dirs, items]) => items.map(([i, leaf, op]) => `${op === undefined ? "" : `${op}:`}${dirs[i % dirs.length]}/${leaf}`));

describe("projection properties", () => {
  test("the engine equals the reference implementation on random paths and rules", () => {
    fc.assert(
      fc.property(rulesArb, paths, (rules, raw) => {
        const compiled = compileRulesOrThrow(rules);
        expect(projectPaths(raw, compiled)).toEqual(referenceProjectPaths(raw, referenceRules(compiled.rules)));
      }),
      { numRuns: 400 },
    );
  });

  test("the batch classifier answers as path-by-path classification, in sorted runs of one directory too", () => {
    fc.assert(
      fc.property(rulesArb, fc.oneof(paths, crowdedPaths), fc.boolean(), (rules, raw, sorted) => {
        const compiled = compileRulesOrThrow(rules);
        const input = sorted ? sortUniqueCodePoints(raw) : raw;
        expect([...classifyPathIds(input, compiled)]).toEqual(input.map((p) => classifyPathId(p, compiled)));
      }),
      { numRuns: 1500 },
    );
  });

  test("the output does not depend on input order or duplication", () => {
    fc.assert(
      fc.property(rulesArb, paths, fc.integer(), (rules, raw, seed) => {
        const compiled = compileRulesOrThrow(rules);
        const shuffled = shuffle([...raw, ...raw.slice(0, seed & 7)], seed);
        expect(projectPaths(shuffled, compiled)).toEqual(projectPaths(raw, compiled));
      }),
      { numRuns: 300 },
    );
  });

  test("projecting never changes the raw input", () => {
    fc.assert(
      fc.property(rulesArb, paths, (rules, raw) => {
        const before = [...raw];
        projectPaths(Object.freeze(raw), compileRulesOrThrow(rules));
        expect(raw).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  test("declared results are identical with heuristics on or off", () => {
    fc.assert(
      fc.property(rulesArb, paths, (rules, raw) => {
        const off = projectPaths(raw, compileRulesOrThrow({ ...rules, heuristics: "none" }));
        const on = projectPaths(raw, compileRulesOrThrow({ ...rules, heuristics: "builtin" }));
        expect(on.mappings.filter((m) => m.confidence === "declared")).toEqual(off.mappings);
        // Whatever heuristics classify was unmatched without them; nothing else moves.
        const heuristic = on.mappings.filter((m) => m.confidence === "heuristic").length;
        expect(on.unmatched_summary.count + heuristic).toBe(off.unmatched_summary.count);
      }),
      { numRuns: 300 },
    );
  });

  test("classification ids agree with the document for every path", () => {
    fc.assert(
      fc.property(rulesArb, paths, (rules, raw) => {
        const compiled: CompiledRules = compileRulesOrThrow(rules);
        const matched = new Set(projectPaths(raw, compiled).mappings.map((m) => m.raw_path));
        for (const p of raw) expect(classifyPathId(p, compiled) >= 0).toBe(matched.has(p));
      }),
      { numRuns: 100 },
    );
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0 || 1;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
