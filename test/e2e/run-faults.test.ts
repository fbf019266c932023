// Fault paths of `assay-runner run`: each leaves a verifiable archive or none (never a partial one),
// no session directory and no process of the workload.
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { filesIn, leftoverSessions, openArchive, processesWith, writeKeyFile } from "../run/_archive.ts";
import { assayEnv, assayExe, host, mountTmpfs, pollUntil, readUntil, runAssay, skipReason, tempDir } from "../harness.ts";

const cannot = skipReason(!host.hasBinary || !host.hasCgroup2, "run e2e needs the compiled binary (bun scripts/build.ts) and root with cgroup v2");

/** A unique sleep length doubles as a process marker for `pgrep -f`-style checks. */
function marker(): string {
  return `4${process.pid}${Math.floor(Math.random() * 1e6)}`;
}

async function run(dir: string, runId: string, flags: string[], command: string[]) {
  const archive = join(dir, "out", "a.tar.gz");
  const outcome = await runAssay(["run", "--capture", "none", "--run-id", runId, "-o", archive, ...flags, "--", ...command], {
    env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir) },
  });
  return { outcome, archive };
}

function outDir(dir: string): string {
  const out = join(dir, "out");
  Bun.spawnSync(["mkdir", "-p", out]);
  return out;
}

describe("assay-runner run: faults", () => {
  test.skipIf(cannot)("a workload that forks a daemon and exits: the daemon is killed after the grace, and a note says so", async () => {
    using dir = tempDir("fault-daemon");
    outDir(dir.path);
    const sleepFor = marker();
    const { outcome, archive } = await run(dir.path, "run_fault_daemon", ["--kill-grace", "200ms"], ["sh", "-c", `(sleep ${sleepFor} &) ; exit 0`]);
    const opened = await openArchive(archive);
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      note: opened.json("observation-health.json").notes.at(-1),
      sessions: leftoverSessions("run_fault_daemon"),
      survivors: processesWith(`sleep ${sleepFor}`),
      files: filesIn(join(dir.path, "out")),
    }).toEqual({
      exitCode: 0,
      issues: [],
      note: "session_teardown: processes outlived the workload by kill_grace=200ms and were killed with cgroup.kill",
      sessions: [],
      survivors: [],
      files: ["a.tar.gz"],
    });
  });

  test.skipIf(cannot)("a workload killed by SIGKILL: exit 137 and run_finished records signal 9", async () => {
    using dir = tempDir("fault-sigkill");
    outDir(dir.path);
    const { outcome, archive } = await run(dir.path, "run_fault_sigkill", [], ["sh", "-c", "kill -9 $$"]);
    const opened = await openArchive(archive);
    const finished = opened.rows("events.ndjson")[1];
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      end: [finished.exit_code, finished.signal, finished.success],
      sessions: leftoverSessions("run_fault_sigkill"),
    }).toEqual({
      exitCode: 137,
      issues: [],
      end: [null, 9, false],
      sessions: [],
    });
  });

  test.skipIf(cannot)("--timeout firing: exit 124, SIGTERM ends the workload, the archive says so", async () => {
    using dir = tempDir("fault-timeout");
    outDir(dir.path);
    const sleepFor = marker();
    const { outcome, archive } = await run(dir.path, "run_fault_timeout", ["--timeout", "300ms", "--kill-grace", "2s"], ["sleep", sleepFor]);
    const opened = await openArchive(archive);
    const finished = opened.rows("events.ndjson")[1];
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      end: [finished.exit_code, finished.signal],
      note: opened.json("observation-health.json").notes.at(-1),
      survivors: processesWith(`sleep ${sleepFor}`),
      sessions: leftoverSessions("run_fault_timeout"),
    }).toEqual({
      exitCode: 124,
      issues: [],
      end: [null, 15],
      note: "run_timeout: --timeout 300ms fired; the session got SIGTERM, then cgroup.kill after kill_grace=2s",
      survivors: [],
      sessions: [],
    });
  });

  test.skipIf(cannot)("a workload that ignores SIGTERM with --timeout: cgroup.kill after the grace, exit 124", async () => {
    using dir = tempDir("fault-ignore-term");
    outDir(dir.path);
    const sleepFor = marker();
    const { outcome, archive } = await run(
      dir.path,
      "run_fault_ignore_term",
      ["--timeout", "300ms", "--kill-grace", "300ms"],
      ["sh", "-c", `trap '' TERM; sleep ${sleepFor} & wait; wait`],
    );
    const opened = await openArchive(archive);
    const finished = opened.rows("events.ndjson")[1];
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      end: [finished.exit_code, finished.signal],
      survivors: processesWith(`sleep ${sleepFor}`),
      sessions: leftoverSessions("run_fault_ignore_term"),
    }).toEqual({ exitCode: 124, issues: [], end: [null, 9], survivors: [], sessions: [] });
  });

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    test.skipIf(cannot)(`${signal} to the runner mid-run: exit ${code}, the archive is written with a note`, async () => {
      using dir = tempDir("fault-runner-term");
      const out = outDir(dir.path);
      const archive = join(out, "a.tar.gz");
      const sleepFor = marker();
      await using proc = Bun.spawn(
        [
          assayExe(),
          "run",
          "--capture",
          "none",
          "--run-id",
          `run_fault_runner_${signal}`,
          "-o",
          archive,
          "--kill-grace",
          "1s",
          "--",
          "sh",
          "-c",
          `echo started; exec sleep ${sleepFor}`,
        ],
        { env: { ...assayEnv, ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) }, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
      );
      const stderr = new Response(proc.stderr).text();
      // Wait for the workload to say it started, then stop the runner.
      const stdout = await readUntil(proc.stdout, "started\n");
      proc.kill(signal);
      const exitCode = await proc.exited;
      const opened = await openArchive(archive);
      expect({
        exitCode,
        stdout,
        warned: (await stderr).includes(`${signal} received`),
        issues: opened.issues,
        note: opened.json("observation-health.json").notes.at(-1),
        survivors: processesWith(`sleep ${sleepFor}`),
        sessions: leftoverSessions(`run_fault_runner_${signal}`),
      }).toEqual({
        exitCode: code,
        stdout: "started\n",
        warned: true,
        issues: [],
        note: `runner_signal: ${signal} received; the session got SIGTERM, then cgroup.kill after kill_grace=1s`,
        survivors: [],
        sessions: [],
      });
    });
  }

  test.skipIf(cannot)(
    "SIGKILL to the runner mid-run: its guardian kills the workload and removes the session and scratch",
    async () => {
      using dir = tempDir("fault-runner-kill");
      const out = outDir(dir.path);
      const scratchRoot = join(dir.path, "tmp");
      Bun.spawnSync(["mkdir", "-p", scratchRoot]);
      const sleepFor = marker();
      const runId = "run_fault_runner_sigkill";
      await using proc = Bun.spawn(
        [assayExe(), "run", "--capture", "none", "--run-id", runId, "-o", join(out, "a.tar.gz"), "--", "sh", "-c", `echo started; exec sleep ${sleepFor}`],
        { env: { ...assayEnv, TMPDIR: scratchRoot, ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) }, stdin: "ignore", stdout: "pipe", stderr: "ignore" },
      );
      const stdout = await readUntil(proc.stdout, "started\n");
      const during = {
        sessions: leftoverSessions(runId).length,
        workloadRuns: processesWith(`sleep ${sleepFor}`).length > 0,
        scratch: filesIn(scratchRoot).length,
      };
      proc.kill("SIGKILL");
      const exitCode = await proc.exited;
      // The guardian works after the runner is gone: wait (bounded) for what it removes.
      const left = () => ({
        sessions: leftoverSessions(runId),
        workload: processesWith(`sleep ${sleepFor}`),
        scratch: filesIn(scratchRoot),
        out: filesIn(out),
      });
      const after = await pollUntil(left, (state) => Object.values(state).every((list) => list.length === 0), 15_000);
      expect({ stdout, exitCode, during, after }).toEqual({
        stdout: "started\n",
        exitCode: 137,
        during: { sessions: 1, workloadRuns: true, scratch: 1 },
        after: { sessions: [], workload: [], scratch: [], out: [] },
      });
    },
    30_000,
  );

  test.skipIf(cannot)("an output directory that is not writable: exit 2 and nothing is run", async () => {
    using dir = tempDir("fault-readonly");
    const out = outDir(dir.path);
    const ran = join(dir.path, "workload-ran");
    using _tmpfs = mountTmpfs(out, "ro,size=64k");
    const { outcome } = await run(dir.path, "run_fault_readonly", [], ["sh", "-c", `touch ${ran}`]);
    expect({
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      named: outcome.stderr.includes(
        `--output: cannot write ${join(out, "a.tar.gz")}: cannot create files in ${out}: read-only file system (EROFS); nothing was run`,
      ),
      ran: existsSync(ran),
      files: filesIn(out),
      sessions: leftoverSessions("run_fault_readonly"),
    }).toEqual({ exitCode: 2, stdout: "", named: true, ran: false, files: [], sessions: [] });
  });

  test.skipIf(cannot)("a missing output directory: exit 2 and nothing is run", async () => {
    using dir = tempDir("fault-missing-dir");
    const ran = join(dir.path, "workload-ran");
    const { outcome } = await run(dir.path, "run_fault_missing", [], ["sh", "-c", `touch ${ran}`]);
    expect({ exitCode: outcome.exitCode, ran: existsSync(ran), files: filesIn(dir.path) }).toEqual({ exitCode: 2, ran: false, files: ["redaction.key"] });
  });

  test.skipIf(cannot)("a full disk at the output: exit 2, no archive and no temporary file left", async () => {
    using dir = tempDir("fault-full");
    const out = outDir(dir.path);
    using _tmpfs = mountTmpfs(out, "size=64k");
    // Fill the filesystem; an empty file (the runner's probe) still fits, the archive does not.
    Bun.spawnSync(["dd", "if=/dev/zero", `of=${join(out, "filler")}`, "bs=4k"], { stderr: "ignore" });
    const { outcome } = await run(dir.path, "run_fault_full", [], ["true"]);
    expect({
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      named: /cannot write archive .*a\.tar\.gz: .*ENOSPC/.test(outcome.stderr),
      files: filesIn(out),
      sessions: leftoverSessions("run_fault_full"),
    }).toEqual({ exitCode: 2, stdout: "", named: true, files: ["filler"], sessions: [] });
  });

  test.skipIf(cannot)("--timeout before the workload wrote its SDK log: the archive is still written, the SDK layer absent with a note", async () => {
    using dir = tempDir("fault-timeout-sdk");
    outDir(dir.path);
    const log = join(dir.path, "never-written.ndjson");
    const { outcome, archive } = await run(
      dir.path,
      "run_fault_timeout_sdk",
      ["--timeout", "200ms", "--kill-grace", "200ms", "--agent-shim", "openai-agents", "--sdk-event-log", log],
      ["sleep", marker()],
    );
    const opened = await openArchive(archive);
    const health = opened.json("observation-health.json");
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      sdk_layer: health.sdk_layer,
      notes: health.notes.slice(1),
      sdk: opened.text("layers/sdk.ndjson"),
    }).toEqual({
      exitCode: 124,
      issues: [],
      sdk_layer: "absent",
      notes: [
        "interrupted_run_layer_absent: sdk_event_log unreadable after the run was cut short",
        "run_timeout: --timeout 200ms fired; the session got SIGTERM, then cgroup.kill after kill_grace=200ms",
      ],
      sdk: "",
    });
  });

  test.skipIf(cannot)("a workload that does not exist: exit 2, no archive", async () => {
    using dir = tempDir("fault-notfound");
    const out = outDir(dir.path);
    const { outcome } = await run(dir.path, "run_fault_notfound", [], ["no-such-program-assay"]);
    expect({
      exitCode: outcome.exitCode,
      named: outcome.stderr.includes("no-such-program-assay was not found"),
      files: filesIn(out),
      sessions: leftoverSessions("run_fault_notfound"),
    }).toEqual({
      exitCode: 2,
      named: true,
      files: [],
      sessions: [],
    });
  });

  test.skipIf(cannot)("an invalid SDK log: exit 2 naming file and line, no archive", async () => {
    using dir = tempDir("fault-bad-sdk");
    const out = outDir(dir.path);
    const log = join(dir.path, "sdk.ndjson");
    writeFileSync(log, '{"schema":"assay.runner.sdk_event.v0","run_id":"run_fault_sdk","seq":1,"event_type":"run_finished","source":"x"}\n');
    const { outcome } = await run(dir.path, "run_fault_sdk", ["--agent-shim", "openai-agents", "--sdk-event-log", log], ["true"]);
    expect({ exitCode: outcome.exitCode, named: outcome.stderr.includes(`${log}:1`), files: filesIn(out) }).toEqual({ exitCode: 2, named: true, files: [] });
  });
});
