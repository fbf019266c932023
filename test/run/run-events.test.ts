import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runFinishedLine, runStartedLine } from "../../src/run/index.ts";
import { upstreamFixtures } from "../harness.ts";

// Real upstream rows: the events.ndjson of two extracted archives (one with SDK env, one without).
const upstreamRows = ["intact-open-metadata", "tampered-trailing-newline"].map((dir) =>
  readFileSync(join(upstreamFixtures, "extracted", dir, "events.ndjson"), "utf8")
    .split("\n")
    .filter((line) => line !== ""),
);

describe("runStartedLine", () => {
  test.each(upstreamRows.map((rows, i) => [i, rows] as const))("reproduces upstream's run_started bytes (archive %d)", (_, rows) => {
    const row = JSON.parse(rows[0] ?? "");
    const env = Object.fromEntries((row.env_keys as string[]).map((key) => [key, "value-never-written"]));
    expect(runStartedLine({ runId: row.run_id, agentShim: row.agent_shim, command: row.command, env })).toBe(`${rows[0]}\n`);
  });

  test("never writes environment values, only sorted keys", () => {
    const line = runStartedLine({ runId: "run_1", agentShim: "none", command: ["x"], env: { ZED: "secret-z", ALPHA: "secret-a" } });
    expect([line.includes("secret"), JSON.parse(line).env_keys]).toEqual([false, ["ALPHA", "ZED"]]);
  });
});

describe("runFinishedLine", () => {
  test.each(upstreamRows.map((rows, i) => [i, rows] as const))("reproduces upstream's run_finished bytes (archive %d)", (_, rows) => {
    const row = JSON.parse(rows[1] ?? "");
    const line = runFinishedLine({ runId: row.run_id, end: { exitCode: row.exit_code, signal: row.signal }, elapsedMs: row.window_elapsed_ms + 0.7 });
    expect(line).toBe(`${rows[1]}\n`);
  });

  test("a killed workload has no exit code, its signal, and success false", () => {
    const row = JSON.parse(runFinishedLine({ runId: "run_1", end: { exitCode: null, signal: 9 }, elapsedMs: 12 }));
    expect([row.exit_code, row.signal, row.success, row.window_elapsed_ms]).toEqual([null, 9, false, 12]);
  });
});
