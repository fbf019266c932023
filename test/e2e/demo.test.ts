// `npm run demo`'s measured run: build, run the bundled sample agent, verify, inspect, timings.
import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openArchive } from "../run/_archive.ts";
import { host, repoRoot, skipReason } from "../harness.ts";

const cannot = skipReason(!host.isLinux, "the measured demo runs on Linux only");

describe("scripts/demo.ts", () => {
  test.skipIf(cannot)("runs the sample agent, and its archive verifies with the agent's SDK and policy layers", async () => {
    // Its own output directory: a developer's demo-out/ stays as the last demo left it.
    const out = join(tmpdir(), `assay-test-demo-${process.pid}`);
    await using proc = Bun.spawn([process.execPath, "scripts/demo.ts"], {
      cwd: repoRoot,
      env: { ...process.env, ASSAY_DEMO_OUT: out },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const archive = /^ {2}archive +(\S+)$/m.exec(stdout)?.[1] ?? "";
    try {
      const opened = await openArchive(archive);
      const health = opened.json("observation-health.json");
      expect({
        exitCode,
        stderr: stderr.includes("demo: $ ") && stderr.includes(" run --run-id run_demo"),
        verified: /^ {2}verify +ok$/m.test(stdout),
        output: /^ {2}output\.txt +summary: \d+ words read from input\.txt$/m.test(stdout),
        timings: ["build", "assay-runner run (whole process)", "assay-runner verify", "run phase total_ms"].map((label) => stdout.includes(label)),
        issues: opened.issues,
        layers: [health.policy_layer, health.sdk_layer],
        sdk: opened.rows("layers/sdk.ndjson").map((e) => [e.event_type, e.tool]),
        bindings: opened.json("correlation-report.json").bindings.map((b: { tool_call_id: string }) => b.tool_call_id),
      }).toEqual({
        exitCode: 0,
        stderr: true,
        verified: true,
        output: true,
        timings: [true, true, true, true],
        issues: [],
        layers: ["present", "self_reported"],
        sdk: [
          ["tool_call_started", "read_file"],
          ["tool_call_completed", "read_file"],
          ["run_finished", null],
        ],
        bindings: ["tc_demo_read_001"],
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
