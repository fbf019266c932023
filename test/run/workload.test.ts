import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CgroupSession } from "../../src/linux/index.ts";
import { superviseWorkload, type WorkloadOptions } from "../../src/run/index.ts";
import { host, skipReason, tempDir } from "../harness.ts";

const notLinux = skipReason(!host.isLinux, "workload supervision needs Linux");
const never = new Promise<"SIGINT" | "SIGTERM">(() => {});

function options(scratchDir: string, argv: string[], extra: Partial<WorkloadOptions> = {}): WorkloadOptions {
  return {
    argv,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    session: undefined,
    scratchDir,
    timeoutMs: undefined,
    killGraceMs: 1000,
    interrupted: never,
    ...extra,
  };
}

describe("superviseWorkload without a session", () => {
  test.skipIf(notLinux)("passes the exit code through and reports a killing signal by number", async () => {
    using dir = tempDir("workload");
    const exited = await superviseWorkload(options(dir.path, ["sh", "-c", "exit 3"]));
    const killed = await superviseWorkload(options(dir.path, ["sh", "-c", "kill -9 $$"]));
    expect([exited, killed]).toEqual([
      { end: { exitCode: 3, signal: null }, interruption: undefined, descendantsKilled: false },
      { end: { exitCode: null, signal: 9 }, interruption: undefined, descendantsKilled: false },
    ]);
  });

  test.skipIf(notLinux)("a timeout sends SIGTERM and records the interruption", async () => {
    using dir = tempDir("workload");
    const outcome = await superviseWorkload(options(dir.path, ["sleep", "30"], { timeoutMs: 50 }));
    expect(outcome).toEqual({ end: { exitCode: null, signal: 15 }, interruption: { kind: "timeout", afterMs: 50 }, descendantsKilled: false });
  });

  test.skipIf(notLinux)("a runner signal stops the workload the same way", async () => {
    using dir = tempDir("workload");
    const outcome = await superviseWorkload(options(dir.path, ["sleep", "30"], { interrupted: Promise.resolve("SIGINT") }));
    expect(outcome).toEqual({ end: { exitCode: null, signal: 15 }, interruption: { kind: "signal", signal: "SIGINT" }, descendantsKilled: false });
  });

  test.skipIf(notLinux)("with a tracer between runner and workload, the workload's own end is the outcome, not the tracer's", async () => {
    using dir = tempDir("workload");
    const end = { exitCode: 3, signal: null };
    const watch = { ended: Promise.resolve(end), final: async () => end, [Symbol.dispose]: () => {} };
    const outcome = await superviseWorkload(options(dir.path, ["sh", "-c", "exit 0"], { watchWorkload: () => watch }));
    expect(outcome).toEqual({ end, interruption: undefined, descendantsKilled: false });
  });

  test.skipIf(notLinux)("a program that is not on PATH is refused before anything starts", async () => {
    using dir = tempDir("workload");
    const error = await superviseWorkload(options(dir.path, ["assay-no-such-program"])).catch((e: unknown) => e);
    expect([(error as { code?: string }).code, (error as { exitCode?: number }).exitCode]).toEqual(["WORKLOAD_NOT_FOUND", 2]);
  });
});

describe("superviseWorkload with a session", () => {
  test.skipIf(notLinux)("never runs the workload when it cannot join the session", async () => {
    using dir = tempDir("workload");
    const ran = join(dir.path, "ran");
    // A session whose cgroup.procs cannot be written: the shim must stop before exec.
    const session = new CgroupSession(join(dir.path, "missing", "session"), 1n);
    const error = await superviseWorkload(options(dir.path, ["touch", ran], { session })).catch((e: unknown) => e);
    expect([(error as { code?: string }).code, (error as { exitCode?: number }).exitCode, existsSync(ran)]).toEqual(["SPAWN_FAILED", 2, false]);
  });
});
