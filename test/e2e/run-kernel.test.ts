// The measured run with a kernel backend: the s2 note replaces the contract-only one, our
// capture_backend note follows upstream's, and a single policy binding carries the session cgroup id.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadedPrograms } from "../../src/bpf/index.ts";
import { chooseBackend } from "../../src/capture/index.ts";
import { leftoverSessions, openArchive, processesWith, writeKeyFile } from "../run/_archive.ts";
import { assayEnv, assayExe, host, pollUntil, readUntil, repoRoot, runAssay, skipReason, tempDir } from "../harness.ts";

const ebpf = await chooseBackend("ebpf");
const cannot = skipReason(
  !host.hasBinary || !host.hasCgroup2 || !ebpf.ok,
  `kernel run e2e needs the binary, root with cgroup v2 and the ebpf backend (${ebpf.ok ? "available" : ebpf.reason})`,
);

describe("assay-runner run --capture ebpf", () => {
  test.skipIf(cannot)(
    "kernel-policy shape: complete kernel layer, the work dir's files in the surface, one bound policy event with the cgroup id",
    async () => {
      using dir = tempDir("kernel-run");
      const work = join(dir.path, "work");
      const policyLog = join(dir.path, "policy-decisions.ndjson");
      const sdkLog = join(dir.path, "sdk-events.ndjson");
      const archive = join(dir.path, "a.tar.gz");
      const runId = "run_kernel_policy";
      const outcome = await runAssay(
        [
          "run",
          "--capture",
          "ebpf",
          "--run-id",
          runId,
          "-o",
          archive,
          "--agent-shim",
          "openai-agents",
          "--sdk-event-log",
          sdkLog,
          "--policy-decision-log",
          policyLog,
          "--json",
          "--",
          join(repoRoot, "test/fixtures/run/sdk-policy-agent.sh"),
          work,
        ],
        { env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path), ASSAY_RUNNER_POLICY_DECISION_LOG: policyLog } },
      );
      const summary = JSON.parse(outcome.stdout);
      const opened = await openArchive(archive);
      const health = opened.json("observation-health.json");
      const report = opened.json("correlation-report.json");
      const surface = opened.json("capability-surface.json");
      expect({
        exitCode: outcome.exitCode,
        issues: opened.issues,
        layers: [health.kernel_layer, health.ringbuf_drops, health.cgroup_correlation, health.policy_layer, health.sdk_layer],
        notes: health.notes.map((n: string) => n.split(":")[0]),
        s2: health.notes[0].startsWith(`s2_kernel_capture: monitor_events=${opened.rows("layers/kernel.ndjson").length} ringbuf_drops=0`),
        inputRead: surface.filesystem_paths.includes(join(work, "policy-input.txt")),
        binding: [
          report.bindings.length,
          report.bindings[0]?.tool_call_id,
          String(report.bindings[0]?.cgroup_id) === String(summary.session_cgroup_id),
          report.bindings[0]?.kernel_event_count > 0,
        ],
        status: [report.status, report.ambiguities],
        sessions: leftoverSessions(runId),
      }).toEqual({
        exitCode: 0,
        issues: [],
        layers: ["complete", 0, "clean", "present", "self_reported"],
        notes: ["s2_kernel_capture", "s4_policy_capture", "s5_sdk_capture", "capture_backend", "loader_filter", "dns_capture"],
        s2: true,
        inputRead: true,
        binding: [1, "tc_runner_policy_001", true, true],
        status: ["clean", []],
        sessions: [],
      });
    },
  );
});

describe("assay-runner run --capture ebpf: three-run determinism", () => {
  test.skipIf(cannot)("kernel-policy: health, surface, correlation (cgroup id blanked), SDK and policy layers equal across three runs", async () => {
    using dir = tempDir("kernel-det");
    const key = writeKeyFile(dir.path);
    const work = join(dir.path, "work");
    const policyLog = join(dir.path, "policy-decisions.ndjson");
    const compared: Array<Record<string, unknown>> = [];
    for (let i = 1; i <= 3; i++) {
      // Upstream resets the work dir before each kernel run: create-vs-open changes the open flags.
      Bun.spawnSync(["rm", "-rf", work]);
      const archive = join(dir.path, `run-${i}.tar.gz`);
      const outcome = await runAssay(
        [
          "run",
          "--capture",
          "ebpf",
          "--run-id",
          "run_kernel_det",
          "-o",
          archive,
          "--agent-shim",
          "openai-agents",
          "--sdk-event-log",
          join(dir.path, "sdk.ndjson"),
          "--policy-decision-log",
          policyLog,
          "--",
          join(repoRoot, "test/fixtures/run/sdk-policy-agent.sh"),
          work,
        ],
        { env: { ASSAY_REDACTION_KEY_FILE: key, ASSAY_RUNNER_POLICY_DECISION_LOG: policyLog } },
      );
      const opened = await openArchive(archive);
      expect({ exitCode: outcome.exitCode, issues: opened.issues }).toEqual({ exitCode: 0, issues: [] });
      const report = opened.json("correlation-report.json");
      compared.push({
        health: opened.json("observation-health.json"),
        surface: opened.json("capability-surface.json"),
        correlation: { ...report, bindings: report.bindings.map((b: object) => ({ ...b, cgroup_id: "<run-local-cgroup-id>" })) },
        sdk: opened.text("layers/sdk.ndjson"),
        policy: opened.text("layers/policy.ndjson"),
      });
    }
    expect([compared[1], compared[2]]).toEqual([compared[0], compared[0]] as Array<Record<string, unknown>>);
  });
});

describe("assay-runner run --capture ebpf: when the runner dies", () => {
  test.skipIf(cannot)(
    "the runner killed with SIGKILL: the kernel drops its programs with its fds; the guardian removes the session, workload and scratch",
    async () => {
      using dir = tempDir("kernel-runner-dies");
      const scratchRoot = join(dir.path, "tmp");
      Bun.spawnSync(["mkdir", "-p", scratchRoot]);
      const runId = "run_kernel_runner_dies";
      const sleepFor = `5${process.pid}${Math.floor(Math.random() * 1e6)}`;
      await using proc = Bun.spawn(
        [assayExe(), "run", "--capture", "ebpf", "--run-id", runId, "-o", join(dir.path, "a.tar.gz"), "--", "sh", "-c", `echo started; exec sleep ${sleepFor}`],
        { env: { ...assayEnv, TMPDIR: scratchRoot, ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) }, stdin: "ignore", stdout: "pipe", stderr: "ignore" },
      );
      const stdout = await readUntil(proc.stdout, "started\n");
      // The engine names its kernel objects after the runner's pid.
      const programs = () =>
        loadedPrograms()
          .filter((program) => program.name.startsWith(`a${proc.pid}_`))
          .map((program) => program.name);
      const during = { programs: programs().length > 0, sessions: leftoverSessions(runId).length };
      proc.kill("SIGKILL");
      await proc.exited;
      const left = () => ({
        programs: programs(),
        sessions: leftoverSessions(runId),
        workload: processesWith(`sleep ${sleepFor}`),
        scratch: readdirSync(scratchRoot),
      });
      const after = await pollUntil(left, (state) => Object.values(state).every((list) => list.length === 0), 20_000);
      expect({ stdout, during, after }).toEqual({
        stdout: "started\n",
        during: { programs: true, sessions: 1 },
        after: { programs: [], sessions: [], workload: [], scratch: [] },
      });
    },
    40_000,
  );
});

const ptrace = await chooseBackend("ptrace");

describe("assay-runner run --capture ptrace", () => {
  const noPtrace = skipReason(
    !host.hasBinary || !host.hasCgroup2 || !ptrace.ok,
    `ptrace run e2e needs the binary, root with cgroup v2 and the ptrace backend (${ptrace.ok ? "available" : ptrace.reason})`,
  );
  test.skipIf(noPtrace)("strace runs inside the session: files, execs and the backend note, and nothing survives", async () => {
    using dir = tempDir("ptrace-run");
    const archive = join(dir.path, "a.tar.gz");
    const written = join(dir.path, "written.txt");
    const outcome = await runAssay(
      ["run", "--capture", "ptrace", "--run-id", "run_ptrace_e2e", "-o", archive, "--kill-grace", "200ms", "--", "sh", "-c", `cat /etc/hostname > ${written}`],
      {
        env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
      },
    );
    const opened = await openArchive(archive);
    const health = opened.json("observation-health.json");
    const surface = opened.json("capability-surface.json");
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      kernel: [health.kernel_layer, health.cgroup_correlation],
      lastNote: health.notes.at(-2).startsWith("capture_backend: ptrace") && health.notes.at(-1).startsWith("loader_filter: filtered_loader_events="),
      files: ["/etc/hostname", written].map((p) => surface.filesystem_paths.includes(p)),
      execs: surface.process_execs.includes("/usr/bin/cat") || surface.process_execs.includes("/bin/cat"),
      sessions: leftoverSessions("run_ptrace_e2e"),
    }).toEqual({ exitCode: 0, issues: [], kernel: ["complete", "clean"], lastNote: true, files: [true, true], execs: true, sessions: [] });
  });
});

describe("assay-runner run when the kernel refuses the eBPF engine", () => {
  const noFallback = skipReason(
    !host.hasBinary || !host.hasCgroup2 || !ptrace.ok,
    `capture fallback e2e needs the binary, root with cgroup v2 and the ptrace backend (${ptrace.ok ? "available" : ptrace.reason})`,
  );

  /** An environment whose ring buffer size the kernel refuses (not a power of two): eBPF probes available, then cannot be armed. */
  function refusedRing(dir: string): { env: Record<string, string> } {
    Bun.spawnSync(["mkdir", "-p", join(dir, "tmp")]);
    return { env: { ASSAY_EBPF_RING_BYTES: "12345", TMPDIR: join(dir, "tmp"), ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir) } };
  }

  test.skipIf(noFallback)("--capture auto falls back to ptrace, says why in a capture_fallback note, and leaves nothing behind", async () => {
    using dir = tempDir("ebpf-fallback");
    const fake = refusedRing(dir.path);
    const archive = join(dir.path, "a.tar.gz");
    const written = join(dir.path, "written.txt");
    const outcome = await runAssay(
      ["run", "--capture", "auto", "--run-id", "run_ebpf_fallback", "-o", archive, "--json", "--", "sh", "-c", `echo x > ${written}`],
      { env: fake.env },
    );
    const opened = await openArchive(archive);
    const health = opened.json("observation-health.json");
    expect({
      exitCode: outcome.exitCode,
      backend: JSON.parse(outcome.stdout).capture_backend.split(" ")[0],
      issues: opened.issues,
      kernel: health.kernel_layer,
      notes: health.notes.map((n: string) => n.split(":")[0]),
      reason: /could not arm ebpf: eBPF could not be armed: BPF_MAP_CREATE a\d+_events failed: EINVAL \(22\); measured with ptrace/.test(health.notes.at(-1)),
      warned: outcome.stderr.includes("capture_fallback: --capture auto could not arm ebpf"),
      written: opened.text("capability-surface.json").includes(written),
      leftovers: [leftoverSessions("run_ebpf_fallback"), readdirSync(join(dir.path, "tmp"))],
    }).toEqual({
      exitCode: 0,
      backend: "ptrace",
      issues: [],
      kernel: "complete",
      notes: ["s2_kernel_capture", "capture_backend", "loader_filter", "capture_fallback"],
      reason: true,
      warned: true,
      written: true,
      leftovers: [[], []],
    });
  });

  test.skipIf(noFallback)("--capture ebpf exits 40 with the kernel's reason before the workload runs, and leaves nothing behind", async () => {
    using dir = tempDir("ebpf-refused");
    const fake = refusedRing(dir.path);
    const archive = join(dir.path, "a.tar.gz");
    const ran = join(dir.path, "ran.txt");
    const outcome = await runAssay(["run", "--capture", "ebpf", "--run-id", "run_ebpf_refused", "-o", archive, "--", "sh", "-c", `echo x > ${ran}`], {
      env: fake.env,
    });
    expect({
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      reason: /eBPF could not be armed: BPF_MAP_CREATE a\d+_events failed: EINVAL \(22\)/.test(outcome.stderr),
      ran: existsSync(ran),
      archive: existsSync(archive),
      leftovers: [leftoverSessions("run_ebpf_refused"), readdirSync(join(dir.path, "tmp"))],
    }).toEqual({ exitCode: 40, stdout: "", reason: true, ran: false, archive: false, leftovers: [[], []] });
  });
});
