import { describe, expect, test } from "bun:test";
import {
  canonicalizeWorkPath,
  checkWorkDirPrefix,
  parseSdkMetadata,
  projectCrossRuntimeDiff,
  renderPythonJson,
  validateCrossRuntimeDiff,
  type CrossRuntimeConfig,
  type CrossRuntimeDiff,
  type SdkMetadata,
} from "../../src/compare/index.ts";
import { evidenceSet, fixtureJson, fixtureText, gemini, GEMINI_PREFIX, s5, S5_PREFIX } from "./_inputs.ts";

const GOLDEN = "golden/cross-runtime-diff-s5-gemini-v0.json";
const CONFIG: CrossRuntimeConfig = {
  baseRuntime: "s5_openai_agents",
  headRuntime: "gemini_google_genai",
  baseWorkDirPrefix: S5_PREFIX,
  headWorkDirPrefix: GEMINI_PREFIX,
};

function sdk(relative: string): SdkMetadata {
  const parsed = parseSdkMetadata(fixtureText(relative), relative);
  if (!parsed.ok) throw new Error(parsed.issues[0].message);
  return parsed.value;
}

function project(config: CrossRuntimeConfig = CONFIG) {
  return projectCrossRuntimeDiff(
    config,
    { ...evidenceSet("base", s5()), sdk: sdk("cross-runtime-inputs/s5-openai-agents/layers/sdk.ndjson") },
    { ...evidenceSet("head", gemini()), sdk: sdk("cross-runtime-inputs/gemini-google-genai/layers/sdk.ndjson") },
  );
}

function golden(): Record<string, any> {
  return fixtureJson(GOLDEN);
}

describe("projectCrossRuntimeDiff", () => {
  test("S5 against Gemini reproduces the cross-runtime golden byte for byte", () => {
    const result = project();
    expect(result.ok ? renderPythonJson(result.value) : result.issues[0].message).toBe(fixtureText(GOLDEN));
  });

  test("the projection passes the clean-envelope validation, as does the golden itself", () => {
    const result = project();
    const projected = result.ok ? validateCrossRuntimeDiff(result.value, "<projected>", { clean: true }).ok : false;
    expect([projected, validateCrossRuntimeDiff(golden(), GOLDEN, { clean: true }).ok]).toEqual([true, true]);
  });

  describe("input discipline (7 upstream negatives)", () => {
    const rejects = (config: Partial<CrossRuntimeConfig>) => {
      const result = project({ ...CONFIG, ...config });
      return result.ok ? "accepted" : result.issues[0].code;
    };
    test("the same runtime on both sides", () => expect(rejects({ headRuntime: "s5_openai_agents" })).toBe("RUNTIMES_NOT_DISTINCT"));
    test("an unknown runtime", () => expect(rejects({ baseRuntime: "anthropic_direct" })).toBe("RUNTIME_UNKNOWN"));
    test("an empty prefix", () => expect(checkWorkDirPrefix("", "--base-work-dir").ok).toBe(false));
    test("a relative prefix", () => expect(checkWorkDirPrefix("relative/", "--base-work-dir").ok).toBe(false));
    test("a prefix without trailing slash", () => expect(checkWorkDirPrefix("/abs", "--base-work-dir").ok).toBe(false));
    test("inconsistent SDK pairs", () => {
      const text = [
        '{"schema":"assay.runner.sdk_event.v0","sdk_name":"a","sdk_version":"1"}',
        '{"schema":"assay.runner.sdk_event.v0","sdk_name":"b","sdk_version":"2"}',
      ].join("\n");
      const parsed = parseSdkMetadata(text, "sdk.ndjson");
      expect(parsed.ok ? "accepted" : parsed.issues[0].code).toBe("SDK_METADATA_INCONSISTENT");
    });
    test("no SDK pair", () => {
      const parsed = parseSdkMetadata('{"schema":"other.schema","sdk_name":"a"}\n', "sdk.ndjson");
      expect(parsed.ok ? "accepted" : parsed.issues[0].code).toBe("SDK_METADATA_MISSING");
    });
  });

  test("SDK lines: blank lines and null names are skipped, a non-object line is rejected with its line number", () => {
    const skipped = parseSdkMetadata(
      '\n{"schema":"assay.runner.sdk_event.v0","sdk_name":null}\n{"schema":"assay.runner.sdk_event.v0","sdk_name":"n","sdk_version":"1"}\n',
      "s.ndjson",
    );
    const bad = parseSdkMetadata('{"schema":"assay.runner.sdk_event.v0","sdk_name":"n","sdk_version":"1"}\n[1]\n', "s.ndjson");
    expect([skipped.ok ? skipped.value : undefined, bad.ok ? undefined : bad.issues[0].line]).toEqual([{ sdk_name: "n", sdk_version: "1" }, 2]);
  });
});

describe("canonicalizeWorkPath", () => {
  test("is idempotent on upstream's property inputs", () => {
    const inputs = [`${S5_PREFIX}deeply/nested/file.txt`, S5_PREFIX, "/absolute/outside/work.txt", "<work>/already-canonical.txt", ""];
    const once = inputs.map((p) => canonicalizeWorkPath(p, S5_PREFIX));
    expect([once, once.map((p) => canonicalizeWorkPath(p, S5_PREFIX))]).toEqual([
      ["<work>/deeply/nested/file.txt", "<work>/", "/absolute/outside/work.txt", "<work>/already-canonical.txt", ""],
      ["<work>/deeply/nested/file.txt", "<work>/", "/absolute/outside/work.txt", "<work>/already-canonical.txt", ""],
    ]);
  });

  test("respects the path boundary: /work/ does not match /workbench/, and the bare directory stays raw", () => {
    expect([
      canonicalizeWorkPath("/workbench/foo.txt", "/work/"),
      canonicalizeWorkPath("/tmp/p", "/tmp/p/"),
      canonicalizeWorkPath("/tmp/p//x", "/tmp/p/"),
    ]).toEqual(["/workbench/foo.txt", "/tmp/p", "<work>//x"]);
  });
});

describe("validateCrossRuntimeDiff rejects the 14 golden mutations", () => {
  const mutations: [string, (d: Record<string, any>) => void][] = [
    ["status drift to failed", (d) => (d.status = "failed")],
    ["status drift to partial:health", (d) => (d.status = "partial:health")],
    ["status drift to an invented value", (d) => (d.status = "eventually_clean")],
    ["preconditions.runtimes_distinct false", (d) => (d.preconditions.runtimes_distinct = false)],
    ["an extra precondition key", (d) => (d.preconditions.invented_key = true)],
    ["a missing precondition key", (d) => delete d.preconditions.runtimes_distinct],
    ["scope.uses_raw_telemetry true", (d) => (d.scope.uses_raw_telemetry = true)],
    ["scope.cross_runtime false", (d) => (d.scope.cross_runtime = false)],
    ["policy_outcomes.added", (d) => (d.policy_outcomes.added = [])],
    ["policy_outcomes.changed", (d) => (d.policy_outcomes.changed = [])],
    ["binding_ids.added", (d) => (d.binding_ids.added = [])],
    ["a non-string surface element", (d) => d.surface.filesystem_paths.added.push(42)],
    ["a boolean surface element", (d) => d.surface.mcp_tools.unchanged.push(true)],
    ["a duplicate surface element", (d) => d.surface.mcp_tools.unchanged.push(d.surface.mcp_tools.unchanged[0])],
  ];
  for (const [name, mutate] of mutations) {
    test(name, () => {
      const d = golden();
      mutate(d);
      expect(validateCrossRuntimeDiff(d, GOLDEN, { clean: true }).ok).toBe(false);
    });
  }

  test("an SDK version leaking into a surface array is rejected (C1)", () => {
    const d = golden();
    d.surface.process_execs.unchanged = ["2.6.0"];
    const result = validateCrossRuntimeDiff(d as CrossRuntimeDiff, GOLDEN);
    expect(result.ok ? "accepted" : result.issues[0].path).toBe("surface.process_execs.unchanged");
  });
});

describe("validateCrossRuntimeDiff messages", () => {
  test("name the field and what is wrong", () => {
    const mutations: ((d: Record<string, any>) => void)[] = [
      (d) => delete d.preconditions.runtimes_distinct,
      (d) => (d.binding_ids.added = []),
      (d) => d.surface.filesystem_paths.added.push(42),
      (d) => (d.head_runtime = d.base_runtime),
      (d) => (d.status = "failed"),
    ];
    const messages = mutations.map((mutate) => {
      const d = golden();
      mutate(d);
      const result = validateCrossRuntimeDiff(d, GOLDEN, { clean: true });
      return result.ok ? "accepted" : [result.issues[0].path, result.issues[0].message];
    });
    expect(messages).toEqual([
      ["preconditions.runtimes_distinct", "preconditions.runtimes_distinct is missing"],
      ["binding_ids.added", "binding_ids.added is not a known field"],
      ["surface.filesystem_paths.added.1", "surface.filesystem_paths.added.1 must be a string"],
      ["head_runtime", "head_runtime must differ from base_runtime"],
      ["status", "status must be clean for a clean diff"],
    ]);
  });
});
