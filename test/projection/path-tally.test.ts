import { describe, expect, test } from "bun:test";
import { compileRulesOrThrow, PathTally, projectPaths, SampleKeeper } from "../../src/projection/index.ts";

describe("PathTally", () => {
  test("counts a stream like the document counts the same set", () => {
    const compiled = compileRulesOrThrow({ schema: "assay.runner.projection_rules.v0", heuristics: "builtin", workdir_prefixes: ["/w"], sample_limit: 2 });
    const paths = ["/w/a", "/w/b", "/etc/hosts", "/zzz", "/proc/1", "/aaa", "/usr/lib/locale/x"];
    const tally = new PathTally(compiled);
    for (const p of paths) tally.add(p);
    const summary = tally.summary();
    const doc = projectPaths(paths, compiled);
    expect(summary.unmatched_summary).toEqual(doc.unmatched_summary);
    expect(summary.input_count).toBe(7);
    expect(summary.classes).toEqual({ workload_fixture: 2, runtime_package: 0, provider_sdk: 0, loader: 2, experiment_harness: 0, cache: 0, unknown: 3 });
    expect(summary.rules).toEqual({ declared_run_workdir_prefix: 2, heuristic_loader_libc_resolver_config: 1, heuristic_loader_locale: 1 });
    expect(summary.non_claims).toEqual(doc.non_claims);
  });
});

describe("SampleKeeper", () => {
  test("keeps the smallest distinct values in code-point order", () => {
    const keeper = new SampleKeeper(3);
    for (const s of ["d", "\uFF21", "b", "b", "\u{1F600}", "a", "c"]) keeper.offer(s);
    expect(keeper.values()).toEqual(["a", "b", "c"]);
    const high = new SampleKeeper(2);
    for (const s of ["\u{1F600}", "\uFF21", "z"]) high.offer(s);
    expect(high.values()).toEqual(["z", "\uFF21"]);
  });
});
