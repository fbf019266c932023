import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CgroupSession, openCgroupSession } from "../../src/linux/index.ts";
import { host, pollUntil, skipReason } from "../harness.ts";

const noCgroup = skipReason(!host.hasCgroup2, "linux session tests need root and a writable cgroup v2 mount");

describe("openCgroupSession", () => {
  test.skipIf(noCgroup)("creates a directory named after the run id whose inode is the cgroup id", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_a` });
    expect(existsSync(session.procsFile)).toBe(true);
    expect(session.path.endsWith(`/assay-session-unit_${process.pid}_a`)).toBe(true);
    expect(session.id > 0n).toBe(true);
    expect(session.isPopulated()).toBe(false);
  });

  test.skipIf(noCgroup)("spawnInside starts the workload in the session and returns the runner to its own cgroup", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_b` });
    const before = readFileSync("/proc/self/cgroup", "utf8");
    await using child = session.spawnInside(() => Bun.spawn(["cat", "/proc/self/cgroup"], { stdout: "pipe", stderr: "pipe" }));
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    const relative = session.path.slice(host.cgroup2Mount?.length ?? 0);
    expect({ line: stdout.split("\n").find((l) => l.startsWith("0::")), stderr, exitCode, runner: readFileSync("/proc/self/cgroup", "utf8") }).toEqual({
      line: `0::${relative}`,
      stderr: "",
      exitCode: 0,
      runner: before,
    });
  });

  // Issue 14 item 7: a POSIX sh join shim dropped names that are not shell identifiers.
  test.skipIf(noCgroup)("spawnInside hands the environment over byte for byte, names that are no shell identifiers included", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_e` });
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", "BASH_FUNC_f%%": "() {  echo from-f\n}", "A-B": "x y", LC_ALL: "C.UTF-8" };
    await using child = session.spawnInside(() => Bun.spawn(["env", "-0"], { env, stdout: "pipe" }));
    const [stdout] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(stdout.split("\0").filter((entry) => entry !== "")).toEqual(Object.entries(env).map(([key, value]) => `${key}=${value}`));
  });

  test.skipIf(noCgroup)("close kills a process left in the session and removes the directory", async () => {
    // Disposal is the safety net if an expectation fails; close() itself is what is under test.
    await using session = openCgroupSession({ runId: `unit_${process.pid}_c` });
    const child = session.spawnInside(() => Bun.spawn(["sleep", "60"]));
    // Wait until the stray is inside (the shim joined) by watching the session's own populated flag.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => session.isPopulated() && (clearInterval(check), resolve()), 5);
    });
    await session.close();
    await child.exited;
    expect({ exists: existsSync(session.path), signal: child.signalCode }).toEqual({ exists: false, signal: "SIGKILL" });
  });

  test.skipIf(noCgroup)("close removes cgroups the workload made below the session, with a process in the deepest", async () => {
    const session = openCgroupSession({ runId: `unit_${process.pid}_nested` });
    const deepest = join(session.path, "sub", "deeper");
    mkdirSync(deepest, { recursive: true });
    const child = Bun.spawn(["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec sleep 60', deepest], { stdio: ["ignore", "ignore", "ignore"] });
    await pollUntil(
      () => readFileSync(join(deepest, "cgroup.procs"), "utf8"),
      (text) => text.trim() !== "",
      5_000,
    );
    await session.close();
    await child.exited;
    expect({ exists: existsSync(session.path), signal: child.signalCode }).toEqual({ exists: false, signal: "SIGKILL" });
  });

  test.skipIf(noCgroup)("spawnInside refuses, and kills, a workload that something moved out of the session before the fork", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_moved` });
    const home = join(host.cgroup2Mount ?? "", readFileSync("/proc/self/cgroup", "utf8").match(/^0::(.*)$/m)?.[1] ?? "/", "cgroup.procs");
    let child: ReturnType<typeof Bun.spawn> | undefined;
    let error: unknown;
    try {
      // What a late write of the runner's pid to its own cgroup (as the join prime once did) does between join and fork.
      session.spawnInside(() => {
        writeFileSync(home, `${process.pid}\n`);
        child = Bun.spawn(["sleep", "30"]);
        return child;
      });
    } catch (caught) {
      error = caught;
    }
    await child?.exited;
    expect({ message: (error as Error | undefined)?.message.includes("did not start inside the session cgroup"), killed: child?.signalCode }).toEqual({
      message: true,
      killed: "SIGKILL",
    });
  });

  test.skipIf(noCgroup)("spawnInside refuses a workload started outside the session even when it exited before it could be checked", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_moved_exited` });
    const home = join(host.cgroup2Mount ?? "", readFileSync("/proc/self/cgroup", "utf8").match(/^0::(.*)$/m)?.[1] ?? "/", "cgroup.procs");
    let ran: { pid: number; exitCode: number | null } | undefined;
    let error: unknown;
    try {
      session.spawnInside(() => {
        writeFileSync(home, `${process.pid}\n`);
        // Spawned, run and reaped before spawnInside looks: /proc has nothing left to read of it.
        ran = Bun.spawnSync(["true"]);
        return ran;
      });
    } catch (caught) {
      error = caught;
    }
    expect({ ran: ran?.exitCode, refused: (error as Error | undefined)?.message.includes("did not start inside the session cgroup") }).toEqual({
      ran: 0,
      refused: true,
    });
    expect(readFileSync("/proc/self/cgroup", "utf8")).not.toContain(session.path);
  });

  test.skipIf(noCgroup)("waitUntilEmpty reports false while a process stays and true once it is gone", async () => {
    await using session = openCgroupSession({ runId: `unit_${process.pid}_d` });
    const child = session.spawnInside(() => Bun.spawn(["sleep", "0.3"]));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => session.isPopulated() && (clearInterval(check), resolve()), 5);
    });
    const early = await session.waitUntilEmpty(20);
    const late = await session.waitUntilEmpty(5000);
    await child.exited;
    expect({ early, late, cgroup: readFileSync(`/proc/self/cgroup`, "utf8").includes(session.path) }).toEqual({ early: false, late: true, cgroup: false });
  });
});

describe("CgroupSession.warmJoin", () => {
  test.skipIf(noCgroup)("keeps moving the runner into the cgroup it is in until stopped, then leaves it there", async () => {
    const before = readFileSync("/proc/self/cgroup", "utf8");
    const warmer = CgroupSession.warmJoin();
    await Bun.sleep(30);
    const outcome = await warmer.stop();
    expect({ outcome, after: readFileSync("/proc/self/cgroup", "utf8") }).toEqual({ outcome: undefined, after: before });
  });
});
