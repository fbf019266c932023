import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runAssay, skipReason, host, tempDir, upstreamFixtures } from "../harness.ts";
import { writeRunArchive } from "./_archives.ts";

const G = join(upstreamFixtures, "golden");
const X = join(upstreamFixtures, "cross-runtime-inputs");
const side = (label: string) => [
  `--${label}-health`,
  join(G, "observation-health-openai-agents-kernel-policy-v0.json"),
  `--${label}-surface`,
  join(G, "capability-surface-openai-agents-kernel-policy-v0.json"),
  `--${label}-correlation`,
  join(G, "correlation-report-openai-agents-kernel-policy-v0.json"),
];
const golden = (name: string) => readFileSync(join(G, name), "utf8");
const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun run build)");

describe.skipIf(noBinary)("assay-runner diff", () => {
  test("reproduces the S5 idempotent capability diff byte for byte on stdout", async () => {
    const outcome = await runAssay(["diff", ...side("base"), ...side("head")]);
    expect(outcome).toEqual({ stdout: golden("capability-diff-s5-idempotent-v0.json"), stderr: "", exitCode: 0 });
  });

  test("reproduces the S5 → Gemini cross-runtime diff byte for byte into --output", async () => {
    using dir = tempDir("diff-cross");
    const out = join(dir.path, "cross.json");
    const outcome = await runAssay([
      "diff",
      "--cross-runtime",
      ...side("base"),
      "--base-sdk",
      join(X, "s5-openai-agents/layers/sdk.ndjson"),
      join(X, "gemini-google-genai"),
      "--base-runtime",
      "s5_openai_agents",
      "--head-runtime",
      "gemini_google_genai",
      "--base-work-dir",
      "/tmp/assay-runner-openai-agents-kernel-policy/work/",
      "--head-work-dir",
      "/tmp/assay-runner-gemini-google-genai-kernel-policy/work/",
      "--output",
      out,
    ]);
    expect({ ...outcome, written: readFileSync(out, "utf8") }).toEqual({
      stdout: "",
      stderr: "",
      exitCode: 0,
      written: golden("cross-runtime-diff-s5-gemini-v0.json"),
    });
  });

  test("a partial status exits 1 unless --allow-partial, and the document is still printed", async () => {
    using dir = tempDir("diff-partial", {
      "h.json": JSON.stringify({ ...JSON.parse(golden("observation-health-openai-agents-kernel-policy-v0.json")), ringbuf_drops: 2 }),
    });
    const head = [
      "--head-health",
      join(dir.path, "h.json"),
      "--head-surface",
      join(G, "capability-surface-openai-agents-kernel-policy-v0.json"),
      "--head-correlation",
      join(G, "correlation-report-openai-agents-kernel-policy-v0.json"),
    ];
    const strict = await runAssay(["diff", ...side("base"), ...head]);
    const allowed = await runAssay(["diff", ...side("base"), ...head, "--allow-partial"]);
    expect([strict.exitCode, JSON.parse(strict.stdout).status, strict.stderr, allowed.exitCode, allowed.stdout === strict.stdout, allowed.stderr]).toEqual([
      1,
      "partial:health",
      "[error] the diff is partial, not clean: head observation health is not clean: ringbuf_drops is 2, expected 0 (exit 1; --allow-partial accepts it)\n",
      0,
      true,
      "[warn] the diff is partial, not clean: head observation health is not clean: ringbuf_drops is 2, expected 0 (accepted: --allow-partial)\n",
    ]);
  });

  test("a duplicate binding id is a structural error naming the file and the field, exit 2", async () => {
    const correlation = JSON.parse(golden("correlation-report-openai-agents-kernel-policy-v0.json"));
    correlation.bindings.push(correlation.bindings[0]);
    using dir = tempDir("diff-dup", { "c.json": JSON.stringify(correlation) });
    const file = join(dir.path, "c.json");
    const outcome = await runAssay([
      "diff",
      ...side("base"),
      "--head-health",
      join(G, "observation-health-openai-agents-kernel-policy-v0.json"),
      "--head-surface",
      join(G, "capability-surface-openai-agents-kernel-policy-v0.json"),
      "--head-correlation",
      file,
    ]);
    expect([
      outcome.stdout,
      outcome.exitCode,
      outcome.stderr.includes(`${file}: › bindings.1.tool_call_id`),
      outcome.stderr.includes('duplicate tool_call_id "tc_runner_policy_001"'),
    ]).toEqual(["", 2, true, true]);
  });

  test("the same runtime on both sides of a cross-runtime diff is rejected with exit 2", async () => {
    const outcome = await runAssay([
      "diff",
      "--cross-runtime",
      join(X, "gemini-google-genai"),
      join(X, "gemini-google-genai"),
      "--base-runtime",
      "gemini_google_genai",
      "--head-runtime",
      "gemini_google_genai",
      "--base-work-dir",
      "/a/",
      "--head-work-dir",
      "/b/",
    ]);
    expect([outcome.stdout, outcome.exitCode, outcome.stderr.includes("must differ")]).toEqual(["", 2, true]);
  });

  test("two archives written by our own evidence writer diff end to end", async () => {
    using dir = tempDir("diff-own");
    const base = await writeRunArchive(dir.path, "run_base", { filesystem_paths: ["/w/a.txt"] });
    const head = await writeRunArchive(dir.path, "run_head", { filesystem_paths: ["/w/a.txt", "/w/b.txt"] });
    const outcome = await runAssay(["diff", base, head]);
    const diff = JSON.parse(outcome.stdout);
    expect([outcome.exitCode, outcome.stderr, diff.status, diff.surface.filesystem_paths, diff.notes]).toEqual([
      0,
      "",
      "clean",
      { added: ["/w/b.txt"], removed: [], unchanged: ["/w/a.txt"] },
      [],
    ]);
  });

  test("upstream's live archives (no policy layer) diff as partial:health: exit 1, or 0 with --allow-partial", async () => {
    const run = (n: string) => join(upstreamFixtures, "archives", n, "archive.tar.gz");
    const args = ["diff", run("run_arm_a-openai_20260525T113813Z_1"), run("run_arm_a-openai_20260525T113821Z_2")];
    const strict = await runAssay(args);
    const allowed = await runAssay([...args, "--allow-partial"]);
    const diff = JSON.parse(strict.stdout);
    expect([strict.exitCode, diff.status, diff.preconditions.stable_tool_call_ids_present, diff.notes, allowed.exitCode]).toEqual([
      1,
      "partial:health",
      false,
      [
        'capability_diff_partial: base observation health is not clean: policy_layer is "absent", expected "present" (the run declared an agent layer)',
        'capability_diff_partial: head observation health is not clean: policy_layer is "absent", expected "present" (the run declared an agent layer)',
        "capability_diff_partial: base has no tool-call bindings, which a run with an agent layer needs for a clean diff",
        "capability_diff_partial: head has no tool-call bindings, which a run with an agent layer needs for a clean diff",
      ],
      0,
    ]);
  });

  test("--help shows an example", async () => {
    const outcome = await runAssay(["diff", "--help"]);
    expect([outcome.exitCode, outcome.stdout.includes("assay-runner diff base/archive.tar.gz head/archive.tar.gz")]).toEqual([0, true]);
  });
});
