import { describe, expect, test } from "bun:test";
import { PathProjectionSchema, type ProjectionRulesInput } from "../../src/schema/index.ts";
import * as v from "valibot";
import { compileRulesOrThrow, projectPaths, projectedPaths } from "../../src/projection/index.ts";

const SCHEMA = "assay.runner.projection_rules.v0";
const rules = (r: Omit<ProjectionRulesInput, "schema">) => compileRulesOrThrow({ schema: SCHEMA, ...r });
const NON_CLAIMS = [
  "projection_no_raw_evidence_rewrite",
  "projection_no_semantic_workload_equivalence",
  "projection_no_policy_acceptability_verdict",
  "projection_unknowns_preserved",
  "projection_no_heuristic_noise_taxonomy",
];

// Upstream's six helper tests (V7, `path_projection_next/tests.rs`), same inputs and assertions.
describe("projectPaths reproduces upstream's helper tests (V7)", () => {
  test("declared workload paths project to roles without rewriting the raw set", () => {
    const raw = ["/tmp/run/workdir/input.txt", "/tmp/run/workdir/output.json", "/tmp/run/workdir/scratch"];
    const original = [...raw];
    const doc = projectPaths(
      raw,
      rules({
        workload: { input: ["/tmp/run/workdir/input.txt"], output: ["/tmp/run/workdir/output.json"], scratch: ["/tmp/run/workdir/scratch"] },
      }),
    );
    expect(raw).toEqual(original);
    expect(doc.schema).toBe("assay.runner.path_projection.v0");
    expect(doc.status).toBe("applied");
    expect(doc.claim_level).toBe("projected_equivalent");
    expect(doc.unmatched_summary.count).toBe(0);
    expect(projectedPaths(doc)).toEqual(["workdir/input", "workdir/output", "workdir/scratch"]);
    expect(doc.mappings.every((m) => m.confidence === "declared")).toBe(true);
    expect(doc.rules).toEqual(["workload_contract_input_path", "workload_contract_output_path", "workload_contract_scratch_path"]);
  });

  test("a declared workdir prefix projects inside paths and keeps operation prefixes", () => {
    const doc = projectPaths(
      [
        "open_read:/tmp/a/workdir/input.txt",
        "/tmp/a/workdir/cache/provider.tmp",
        "https:/tmp/a/workdir/not-an-operation",
        "/tmp/a/workdir-else/not-inside.txt",
      ],
      rules({ workdir_prefixes: ["/tmp/a/workdir/"] }),
    );
    expect(projectedPaths(doc)).toEqual(["open_read:workdir/input.txt", "workdir/cache/provider.tmp"]);
    expect(doc.unmatched_summary.count).toBe(2);
    expect(doc.unmatched_summary.samples).toEqual(["/tmp/a/workdir-else/not-inside.txt", "https:/tmp/a/workdir/not-an-operation"]);
    expect(doc.mappings.every((m) => m.rule === "declared_run_workdir_prefix")).toBe(true);
  });

  test("exact declared rules win over declared workdir prefixes", () => {
    const doc = projectPaths(
      ["open_read:/tmp/run/workdir/input.txt"],
      rules({ workdir_prefixes: ["/tmp/run/workdir"], workload: { input: ["/tmp/run/workdir/input.txt"] } }),
    );
    expect(projectedPaths(doc)).toEqual(["open_read:workdir/input"]);
    expect(doc.mappings[0]!.rule).toBe("workload_contract_input_path");
    expect(doc.mappings[0]!.relation).toBe("declared_workload_contract");
  });

  test("unknown paths are summarized, not failed or collapsed", () => {
    const doc = projectPaths(["/tmp/unknown-a", "/tmp/unknown-b", "/tmp/unknown-c", "/tmp/unknown-d"], rules({ sample_limit: 2 }));
    expect(doc.mappings).toEqual([]);
    expect(doc.claim_level).toBe("inconclusive");
    expect(doc.unmatched_summary).toEqual({ path_class: "unknown", count: 4, samples: ["/tmp/unknown-a", "/tmp/unknown-b"], sample_limit: 2 });
    expect(doc.non_claims).toContain("projection_unknowns_preserved");
  });

  test("projection is deterministic for repeated runs", () => {
    const raw = ["/tmp/run/workdir/z.txt", "/tmp/run/workdir/a.txt", "/tmp/run/workdir/input.txt"];
    const compiled = rules({ workdir_prefixes: ["/tmp/run/workdir"], workload: { input: ["/tmp/run/workdir/input.txt"] } });
    const first = projectPaths(raw, compiled);
    expect(projectPaths(raw, compiled)).toEqual(first);
    expect(first.mappings.map((m) => m.raw_path)).toEqual(["/tmp/run/workdir/a.txt", "/tmp/run/workdir/input.txt", "/tmp/run/workdir/z.txt"]);
  });

  test("different raw paths can share a declared projected role without an equivalence claim", () => {
    const base = projectPaths(["open_read:/tmp/base/workdir/fixture-input.txt"], rules({ workload: { input: ["/tmp/base/workdir/fixture-input.txt"] } }));
    const head = projectPaths(["open_read:/tmp/head/workdir/fixture-input.txt"], rules({ workload: { input: ["/tmp/head/workdir/fixture-input.txt"] } }));
    expect(projectedPaths(base)).toEqual(projectedPaths(head));
    expect(projectedPaths(base)).toEqual(["open_read:workdir/input"]);
    expect(base.non_claims).toContain("projection_no_semantic_workload_equivalence");
  });
});

describe("projectPaths keeps upstream's edge cases (spec §1.4)", () => {
  const project = (raw: string[], prefixes: string[]) =>
    Object.fromEntries(projectPaths(raw, rules({ workdir_prefixes: prefixes })).mappings.map((m) => [m.raw_path, m.projected_path]));

  test("trailing slashes of a prefix are popped; the path keeps `//`, `..` and trailing `/` verbatim", () => {
    const raw = [
      "/tmp/a/workdir",
      "/tmp/a/workdir/",
      "/tmp/a/workdir//x",
      "open_read:/tmp/a/workdir/sub/../x",
      "read:/tmp/a/workdir",
      "read://tmp/a/workdir/x",
    ];
    expect(project(raw, ["/tmp/a/workdir///"])).toEqual({
      "/tmp/a/workdir": "workdir/",
      "/tmp/a/workdir/": "workdir/",
      "/tmp/a/workdir//x": "workdir//x",
      "open_read:/tmp/a/workdir/sub/../x": "open_read:workdir/sub/../x",
      "read:/tmp/a/workdir": "read:workdir/",
    });
  });

  test("the root prefix `/` matches `/` and `//x` but not `/etc/hosts`", () => {
    expect(project(["/", "//x", "/etc/hosts"], ["/"])).toEqual({ "/": "workdir/", "//x": "workdir/x" });
  });

  test("the longest declared prefix wins, on a `/` boundary only", () => {
    expect(project(["/w/a/b/c", "/w/a/bc", "/w/ab"], ["/w", "/w/a", "/w/a/b"])).toEqual({
      "/w/a/b/c": "workdir/c",
      "/w/a/bc": "workdir/bc",
      "/w/ab": "workdir/ab",
    });
  });

  test("prefixes need not be absolute", () => {
    expect(project(["rel/dir/x", "read:/rel/dir/x"], ["rel/dir"])).toEqual({ "rel/dir/x": "workdir/x" });
  });

  test("only the 13 operations split, case-sensitively, at the first colon, before a `/`", () => {
    const raw = ["READ:/w/x", "exclusive:/w/x", "unknown:/w/x", "read:w/x", "open_append:/w/x", "open_read:/w/a:/b", "/w/a:/b"];
    expect(project(raw, ["/w"])).toEqual({
      "open_append:/w/x": "open_append:workdir/x",
      "open_read:/w/a:/b": "open_read:workdir/a:/b",
      "/w/a:/b": "workdir/a:/b",
    });
  });

  test("a rule declared for an operation-prefixed value maps the whole value, without the operation", () => {
    const doc = projectPaths(["open_read:/x"], rules({ paths: [{ raw_path: "open_read:/x", projected_path: "workdir/x" }] }));
    expect(doc.mappings.map((m) => m.projected_path)).toEqual(["workdir/x"]);
  });

  test("the last of duplicate exact rules wins", () => {
    const doc = projectPaths(["/p"], rules({ workload: { input: ["/p"], output: ["/p"] } }));
    expect(doc.mappings.map((m) => [m.projected_path, m.rule])).toEqual([["workdir/output", "workload_contract_output_path"]]);
  });

  test("declared paths come after the workload rules, so a later `paths` entry replaces a workload rule", () => {
    const doc = projectPaths(
      ["/p"],
      rules({ workload: { input: ["/p"] }, paths: [{ raw_path: "/p", projected_path: "fixture/p", rule: "mine", relation: "declared_path" }] }),
    );
    expect(doc.mappings[0]).toEqual({
      raw_path: "/p",
      projected_path: "fixture/p",
      path_class: "workload_fixture",
      relation: "declared_path",
      rule: "mine",
      confidence: "declared",
      claim_level: "projected_equivalent",
    });
  });

  test("sample_limit 0 keeps the count and no samples", () => {
    expect(projectPaths(["/a", "/b"], rules({ sample_limit: 0 })).unmatched_summary).toEqual({ path_class: "unknown", count: 2, samples: [], sample_limit: 0 });
  });

  test("samples are the first unmatched paths in UTF-8 byte order, not UTF-16 order", () => {
    const doc = projectPaths(["/x/\u{1F600}", "/x/\uFF21", "/x/a"], rules({ sample_limit: 2 }));
    expect(doc.unmatched_summary.samples).toEqual(["/x/a", "/x/\uFF21"]);
  });
});

describe("projectPaths without heuristics or network rules", () => {
  test("emits upstream's document: fields in upstream order and the five fixed non-claims", () => {
    const doc = projectPaths(["/w/in", "/etc/hosts"], rules({ workload: { input: ["/w/in"] } }));
    expect(Object.keys(doc)).toEqual(["schema", "status", "taxonomy_schema", "claim_level", "mappings", "rules", "unmatched_summary", "non_claims"]);
    expect(Object.keys(doc.mappings[0]!)).toEqual(["raw_path", "projected_path", "path_class", "relation", "rule", "confidence", "claim_level"]);
    expect(Object.keys(doc.unmatched_summary)).toEqual(["path_class", "count", "samples", "sample_limit"]);
    expect(doc.non_claims).toEqual(NON_CLAIMS);
    expect(v.is(PathProjectionSchema, doc)).toBe(true);
  });

  test("accepts any iterable and treats it as a set", () => {
    const compiled = rules({ workdir_prefixes: ["/w"] });
    expect(projectPaths(new Set(["/w/b", "/w/a"]), compiled)).toEqual(projectPaths(["/w/a", "/w/b", "/w/a"], compiled));
  });
});
