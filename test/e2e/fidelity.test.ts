import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { host, runAssay, skipReason, tempDir, upstreamFixtures } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun run build)");

describe.skipIf(noBinary)("assay-runner fidelity", () => {
  test("derives clean from a real upstream archive, as Python-style JSON on stdout", async () => {
    const outcome = await runAssay(["fidelity", join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz")]);
    const verdict = JSON.parse(outcome.stdout);
    expect([
      outcome.exitCode,
      outcome.stderr,
      verdict.verdict,
      verdict.run_id,
      outcome.stdout.startsWith('{\n  "schema": "assay.runner.fidelity_verdict.v0",'),
    ]).toEqual([0, "", "clean", "run_arm_a-openai_20260525T113813Z_1", true]);
  });

  test("reads a health file and an extracted directory", async () => {
    using dir = tempDir("fidelity", {
      "health.json": JSON.stringify({
        schema: "assay.runner.observation_health.v0",
        run_id: "r",
        platform: "macos",
        kernel_layer: "absent",
        ringbuf_drops: 0,
        cgroup_correlation: "partial",
      }),
    });
    const file = await runAssay(["fidelity", join(dir.path, "health.json")]);
    const extracted = await runAssay(["fidelity", join(upstreamFixtures, "extracted/intact-open-metadata")]);
    expect([JSON.parse(file.stdout).verdict, JSON.parse(extracted.stdout).verdict]).toEqual(["not_applicable", "clean"]);
  });

  test("an unreadable input exits 2 naming the file", async () => {
    const outcome = await runAssay(["fidelity", "/nonexistent/health.json"]);
    expect([outcome.exitCode, outcome.stdout, outcome.stderr.includes("/nonexistent/health.json: cannot read")]).toEqual([2, "", true]);
  });
});
