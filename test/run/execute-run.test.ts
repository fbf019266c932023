import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { buildRunSpec, executeRun, exitCodeOf, RunOptionsSchema, runnerNotes, type RunSpec } from "../../src/run/index.ts";

const spec = (): RunSpec => {
  const built = buildRunSpec(v.parse(RunOptionsSchema, { command: ["/bin/true"], capture: "none", output: "/nonexistent/x.tar.gz" }), () => "run_unit");
  if (!built.ok) throw new Error(built.message);
  return built.spec;
};

describe("exitCodeOf", () => {
  test("passes the workload's code through, 128+signal when killed, 1 when neither is known", () => {
    expect([
      exitCodeOf({ exitCode: 0, signal: null }, undefined),
      exitCodeOf({ exitCode: 3, signal: null }, undefined),
      exitCodeOf({ exitCode: null, signal: 9 }, undefined),
      exitCodeOf({ exitCode: null, signal: null }, undefined),
    ]).toEqual([0, 3, 137, 1]);
  });
  test("124 after --timeout and 130/143 after SIGINT/SIGTERM to the runner, whatever the workload did", () => {
    expect([
      exitCodeOf({ exitCode: null, signal: 15 }, { kind: "timeout", afterMs: 1000 }),
      exitCodeOf({ exitCode: 0, signal: null }, { kind: "signal", signal: "SIGINT" }),
      exitCodeOf({ exitCode: null, signal: 9 }, { kind: "signal", signal: "SIGTERM" }),
    ]).toEqual([124, 130, 143]);
  });
});

describe("runnerNotes", () => {
  test("says nothing for an ordinary run, so contract-only health stays upstream's", () => {
    expect(runnerNotes({ killGraceMs: 5000 }, undefined, false)).toEqual([]);
  });
  test("names the timeout, the runner signal and killed descendants with their durations", () => {
    expect([
      ...runnerNotes({ killGraceMs: 500 }, { kind: "timeout", afterMs: 30_000 }, true),
      ...runnerNotes({ killGraceMs: 2000 }, { kind: "signal", signal: "SIGINT" }, false),
    ]).toEqual([
      "run_timeout: --timeout 30s fired; the session got SIGTERM, then cgroup.kill after kill_grace=500ms",
      "session_teardown: processes outlived the workload by kill_grace=500ms and were killed with cgroup.kill",
      "runner_signal: SIGINT received; the session got SIGTERM, then cgroup.kill after kill_grace=2s",
    ]);
  });
});

describe("executeRun", () => {
  test("refuses other platforms with exit 40 before anything runs", async () => {
    const error = await executeRun(spec(), { env: {}, platform: "darwin", interrupted: new Promise(() => {}) }).catch((e: unknown) => e);
    expect([(error as { exitCode?: number }).exitCode, (error as { code?: string }).code]).toEqual([40, "PLATFORM_UNSUPPORTED"]);
  });
  test("refuses an output directory that does not exist with exit 2 before anything runs", async () => {
    const error = await executeRun(spec(), { env: {}, platform: "linux", interrupted: new Promise(() => {}) }).catch((e: unknown) => e);
    expect([(error as { exitCode?: number }).exitCode, (error as { code?: string }).code]).toEqual([2, "OUTPUT_UNWRITABLE"]);
  });
});

describe("executeRun when stopped before the workload starts", () => {
  test("runs nothing and exits 128+signal without an archive", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assay-unit-early-"));
    try {
      const built = buildRunSpec(
        v.parse(RunOptionsSchema, { command: ["touch", `${dir}/ran`], capture: "none", output: `${dir}/a.tar.gz`, "redaction-key": "ephemeral" }),
        () => "run_early",
      );
      if (!built.ok) throw new Error(built.message);
      const error = await executeRun(built.spec, { env: process.env, platform: "linux", interrupted: Promise.resolve("SIGINT") }).catch((e: unknown) => e);
      expect([(error as { exitCode?: number }).exitCode, (error as { code?: string }).code, readdirSync(dir)]).toEqual([130, "INTERRUPTED_BEFORE_START", []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
