// The run command line: usage errors (exit 2, nothing run), host errors (exit 40), the --json summary.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { filesIn, openArchive, writeKeyFile } from "../run/_archive.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "run CLI e2e needs the compiled binary (bun scripts/build.ts)");
const cannot = skipReason(!host.hasBinary || !host.hasCgroup2, "run e2e needs the compiled binary (bun scripts/build.ts) and root with cgroup v2");

describe("assay-runner run: usage", () => {
  const cases: Array<[string, string[], string]> = [
    ["no workload after --", ["run", "--capture", "none"], "the workload command goes after --"],
    ["a workload without --", ["run", "--capture", "none", "/bin/true"], "the workload command goes after --"],
    ["a run id with ':'", ["run", "--run-id", "run:1", "--", "/bin/true"], "--run-id"],
    ["an unknown agent shim", ["run", "--agent-shim", "langchain", "--", "/bin/true"], "expected one of none, openai-agents, gemini-google-genai"],
    ["an SDK log without an SDK shim", ["run", "--sdk-event-log", "/tmp/x", "--", "/bin/true"], "--sdk-event-log requires an SDK agent shim"],
    ["a duration without a unit", ["run", "--timeout", "30", "--", "/bin/true"], "--timeout expects a duration such as 500ms, 30s or 2m"],
    ["an unknown flag", ["run", "--frobnicate", "--", "/bin/true"], "unknown flag --frobnicate"],
  ];
  for (const [name, args, message] of cases) {
    test.skipIf(noBinary)(`${name}: exit 2, nothing run, the message names the problem`, async () => {
      using dir = tempDir("run-usage");
      const marker = join(dir.path, "ran");
      const outcome = await runAssay([...args.map((a) => (a === "/bin/true" ? "touch" : a)), ...(args.includes("--") ? [marker] : [])], { cwd: dir.path });
      // main.ts answers a usage error with the error, then a pointer to the command's --help.
      expect({
        exitCode: outcome.exitCode,
        usage: outcome.stderr.endsWith("\nsee assay-runner run --help\n"),
        named: outcome.stderr.includes(message),
        ran: existsSync(marker),
        files: filesIn(dir.path),
      }).toEqual({
        exitCode: 2,
        usage: true,
        named: true,
        ran: false,
        files: [],
      });
    });
  }

  test.skipIf(noBinary)("a capture backend that cannot run here: exit 40, nothing run", async () => {
    using dir = tempDir("run-host");
    const marker = join(dir.path, "ran");
    const outcome = await runAssay(["run", "--capture", "ptrace", "--cgroup-parent", "/nonexistent", "--", "touch", marker], { cwd: dir.path });
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, ran: existsSync(marker), files: filesIn(dir.path) }).toEqual({
      exitCode: 40,
      stdout: "",
      ran: false,
      files: [],
    });
  });

  test.skipIf(noBinary)("--cgroup-parent that is not a cgroup v2 directory: exit 40, nothing run", async () => {
    using dir = tempDir("run-parent");
    const marker = join(dir.path, "ran");
    const outcome = await runAssay(["run", "--capture", "none", "--cgroup-parent", dir.path, "--", "touch", marker], { cwd: dir.path });
    expect({ exitCode: outcome.exitCode, named: outcome.stderr.includes("is not a cgroup v2 directory"), ran: existsSync(marker) }).toEqual({
      exitCode: 40,
      named: true,
      ran: false,
    });
  });
});

describe("assay-runner run: --json", () => {
  test.skipIf(cannot)("prints one summary document whose digest and health match the archive", async () => {
    using dir = tempDir("run-json");
    const archive = join(dir.path, "a.tar.gz");
    const outcome = await runAssay(
      ["run", "--capture", "none", "--run-id", "run_json", "-o", archive, "--json", "--", "sh", "-c", "echo workload-says-hi; exit 7"],
      {
        env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
      },
    );
    const summary = JSON.parse(outcome.stdout);
    const opened = await openArchive(archive);
    const health = opened.json("observation-health.json");
    expect({
      exitCode: outcome.exitCode,
      workloadOnStderr: outcome.stderr.includes("workload-says-hi\n"),
      keys: Object.keys(summary),
      run: [summary.run_id, summary.archive, summary.manifest_digest, summary.exit_code, summary.workload, summary.capture_backend],
      health: [summary.health.kernel_layer, summary.health.cgroup_correlation, summary.health.notes, summary.health.redaction],
    }).toEqual({
      exitCode: 7,
      workloadOnStderr: true,
      keys: ["run_id", "archive", "manifest_digest", "exit_code", "workload", "interruption", "capture_backend", "session_cgroup_id", "health", "timings_ms"],
      run: ["run_json", archive, opened.manifestDigest, 7, { exit_code: 7, signal: null }, "none"],
      health: [health.kernel_layer, health.cgroup_correlation, health.notes, health.redaction],
    });
  });
});

describe("assay-runner run: without permission for a session", () => {
  const notRootable = skipReason(!host.hasBinary || !host.isRoot, "the unprivileged-run test needs the binary and root (to switch to nobody)");
  test.skipIf(notRootable)("--capture none as an unprivileged user runs without a session, says so, and writes a contract-only archive", async () => {
    using dir = tempDir("run-nobody");
    Bun.spawnSync(["chmod", "777", dir.path]);
    const archive = join(dir.path, "a.tar.gz");
    const command = `${process.env.ASSAY_EXE ?? join(import.meta.dir, "../../dist/assay-runner")} run --capture none --redaction-key ephemeral --run-id run_nobody -o ${archive} -- sh -c 'grep ^0:: /proc/self/cgroup'`;
    await using proc = Bun.spawn(["su", "nobody", "-s", "/bin/sh", "-c", command], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: "/usr/bin:/bin", NO_COLOR: "1" },
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const opened = await openArchive(archive);
    expect({
      exitCode,
      outsideSession: stdout.startsWith("0::") && !stdout.includes("assay-session"),
      warned: stderr.includes("running without a cgroup session"),
      issues: opened.issues,
      health: [
        opened.json("observation-health.json").kernel_layer,
        opened.json("observation-health.json").cgroup_correlation,
        opened.json("observation-health.json").redaction.key_scope,
      ],
    }).toEqual({ exitCode: 0, outsideSession: true, warned: true, issues: [], health: ["absent", "partial", "ephemeral"] });
  });
});

describe("assay-runner run: kernel capture without permission for a session", () => {
  const notRootable = skipReason(!host.hasBinary || !host.isRoot, "the unprivileged-run test needs the binary and root (to switch to nobody)");
  const asNobody = async (dir: string, flags: string) => {
    const exe = process.env.ASSAY_EXE ?? join(import.meta.dir, "../../dist/assay-runner");
    await using proc = Bun.spawn(["su", "nobody", "-s", "/bin/sh", "-c", `${exe} run ${flags} --redaction-key ephemeral -o ${dir}/a.tar.gz -- true`], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: "/usr/bin:/bin", NO_COLOR: "1" },
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, exitCode };
  };

  test.skipIf(notRootable)("--capture auto degrades to contract-only and says so", async () => {
    using dir = tempDir("run-nobody-auto");
    Bun.spawnSync(["chmod", "777", dir.path]);
    const outcome = await asNobody(dir.path, "--capture auto --json");
    expect({ exitCode: outcome.exitCode, backend: JSON.parse(outcome.stdout).capture_backend, files: filesIn(dir.path) }).toEqual({
      exitCode: 0,
      backend: "none",
      files: ["a.tar.gz"],
    });
  });

  test.skipIf(notRootable)("an explicitly requested kernel backend exits 40 and runs nothing", async () => {
    using dir = tempDir("run-nobody-ptrace");
    Bun.spawnSync(["chmod", "777", dir.path]);
    const outcome = await asNobody(dir.path, "--capture ptrace");
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, files: filesIn(dir.path) }).toEqual({ exitCode: 40, stdout: "", files: [] });
  });
});
