import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runAssay, tempDir, upstreamFixtures } from "../harness.ts";

const run = "run_arm_a-openai_20260525T113813Z_1";
const archive = join(upstreamFixtures, `archives/${run}/archive.tar.gz`);

describe("assay-runner inspect", () => {
  test("prints the run summary as one JSON document with --json", async () => {
    const outcome = await runAssay(["inspect", archive, "--json"]);
    const manifest = await manifestDigest();
    expect({ ...outcome, stdout: JSON.parse(outcome.stdout) }).toEqual({
      stdout: {
        path: archive,
        kind: "tar.gz",
        runId: run,
        manifestDigest: manifest,
        command: ["node", "/opt/actions-runner/_work/assay/assay/docs/experiments/cross-runtime-drift-2026-05/workload-openai/dist/workload.js"],
        agentShim: "openai-agents",
        exitCode: 0,
        signal: null,
        success: true,
        elapsedMs: 6917,
        health: {
          platform: "linux",
          kernel_layer: "complete",
          ringbuf_drops: 0,
          policy_layer: "absent",
          sdk_layer: "self_reported",
          cgroup_correlation: "clean",
        },
        notes: ["s2_kernel_capture: monitor_events=29 ringbuf_drops=0", "s5_sdk_capture: sdk_events=5 sdk_tool_calls=2"],
        rows: { "events.ndjson": 2, "layers/kernel.ndjson": 29, "layers/policy.ndjson": 0, "layers/sdk.ndjson": 5 },
        bytes: {
          "manifest.json": 1151,
          "capability-surface.json": 1468,
          "correlation-report.json": 142,
          "events.ndjson": 575,
          "layers/kernel.ndjson": 8061,
          "layers/policy.ndjson": 0,
          "layers/sdk.ndjson": 1245,
          "observation-health.json": 351,
        },
        surface: { filesystem_paths: 16, network_endpoints: 5, process_execs: 0, mcp_tools: 0, policy_decisions: 0 },
        redaction: null,
        issues: [],
      },
      stderr: "",
      exitCode: 0,
    });
  });

  test("prints a human summary on stderr naming run, command, exit, health and rows, as plain rows (no log tag)", async () => {
    const outcome = await runAssay(["inspect", archive]);
    const digest = await manifestDigest();
    const lines = outcome.stderr.split("\n");
    expect({
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      run: lines.some((l) => l.startsWith(`run       ${run}`)),
      finished: lines.some((l) => l.startsWith("finished  exit code 0, 6917 ms, success")),
      rows: lines.some((l) => l.startsWith("rows      events.ndjson=2 layers/kernel.ndjson=29 layers/policy.ndjson=0 layers/sdk.ndjson=5")),
      health: lines.some((l) => l.includes("kernel_layer=complete")),
      manifest: lines.some((l) => l.startsWith(`manifest  ${digest}`)),
    }).toEqual({ exitCode: 0, stdout: "", run: true, finished: true, rows: true, health: true, manifest: true });
  });

  test("exits 2 on an unreadable path", async () => {
    const outcome = await runAssay(["inspect", "/nonexistent"]);
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr }).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: "[error] cannot read archive /nonexistent: ENOENT: no such file or directory, stat '/nonexistent'\n",
    });
  });

  test("exits 2 on a file that is not an archive at all, saying why (and --json says readable: false)", async () => {
    using dir = tempDir("inspect-junk", { "junk.tar.gz": Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 0xfd : i === 1 ? 0xb2 : 0x41)) });
    const file = join(dir.path, "junk.tar.gz");
    const human = await runAssay(["inspect", file]);
    const machine = await runAssay(["inspect", file, "--json"]);
    expect({ human: [human.exitCode, human.stdout, human.stderr], machine: [machine.exitCode, JSON.parse(machine.stdout)] }).toEqual({
      human: [2, "", `[error] ${file}: not a gzip archive: first bytes fd b2\n`],
      machine: [2, { path: file, readable: false, error: "not a gzip archive: first bytes fd b2" }],
    });
  });
});

async function manifestDigest(): Promise<string> {
  const { loadArchive } = await import("../../src/evidence/index.ts");
  const loaded = await loadArchive(archive);
  if (!loaded.ok) throw new Error("unreadable");
  return `sha256:${new Bun.CryptoHasher("sha256").update(loaded.value.members.get("manifest.json") as Uint8Array).digest("hex")}`;
}
