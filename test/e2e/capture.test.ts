// Upstream's kernel acceptance shapes (run lifecycle §7: kernel-only, kernel-policy, openai-agents
// sdk+policy in matched_safe_read and hidden_write) with our own fixture workloads, each with its
// three-run determinism wrapper, for both kernel backends; plus exec/network coverage and grandchildren.
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { udpSocket } from "bun";
import { chooseBackend } from "../../src/capture/index.ts";
import { openArchive, writeKeyFile, type OpenedArchive } from "../run/_archive.ts";
import { host, repoRoot, runAssay, skipReason, tempDir } from "../harness.ts";

const fixtures = join(repoRoot, "test/fixtures/capture");
type Backend = "ebpf" | "ptrace";
const backends: readonly Backend[] = ["ebpf", "ptrace"];
const cannot: Record<Backend, boolean> = { ebpf: true, ptrace: true };
for (const backend of backends) {
  const choice = await chooseBackend(backend);
  cannot[backend] = skipReason(
    !host.hasBinary || !host.hasCgroup2 || !choice.ok,
    `capture e2e (${backend}) needs the compiled binary, root with cgroup v2 and the backend (${choice.ok ? "available" : choice.reason})`,
  );
}

type Scenario = "kernel-only" | "kernel-policy" | "matched_safe_read" | "hidden_write";

interface Dirs {
  readonly root: string;
  readonly work: string;
  readonly key: string;
}

/** Runs one acceptance scenario from a clean work dir (upstream rm -rf's it before each kernel run). */
async function runScenario(backend: Backend, scenario: Scenario, runId: string, dirs: Dirs, index: number) {
  rmSync(dirs.work, { recursive: true, force: true });
  mkdirSync(dirs.work, { recursive: true });
  const policyLog = join(dirs.root, "policy-decisions.ndjson");
  const sdkLog = join(dirs.root, "sdk-events.ndjson");
  rmSync(policyLog, { force: true });
  rmSync(sdkLog, { force: true });
  const archive = join(dirs.root, `run-${index}.tar.gz`);
  const args = ["run", "--capture", backend, "--run-id", runId, "-o", archive];
  if (scenario === "kernel-only") {
    args.push("--", join(fixtures, "kernel-only-agent.sh"), dirs.work);
  } else if (scenario === "kernel-policy") {
    writeFileSync(join(dirs.work, "policy-input.txt"), "policy input\n");
    args.push("--policy-decision-log", policyLog, "--", join(fixtures, "mcp-policy-agent.sh"), dirs.work, policyLog);
  } else {
    writeFileSync(join(dirs.work, "policy-input.txt"), "policy input\n");
    writeFileSync(join(dirs.work, "openai-agents-input.txt"), "agent input\n");
    args.push("--agent-shim", "openai-agents", "--sdk-event-log", sdkLog, "--policy-decision-log", policyLog);
    args.push("--", join(fixtures, "openai-agents-agent.sh"), dirs.work, policyLog, scenario);
  }
  const outcome = await runAssay(args, { env: { ASSAY_REDACTION_KEY_FILE: dirs.key } });
  expect({ exitCode: outcome.exitCode, stdout: outcome.stdout }).toEqual({ exitCode: 0, stdout: "" });
  return { opened: await openArchive(archive), policyLog };
}

/** What upstream's three-run wrappers compare: health, surface, normalized correlation, SDK and policy text. */
function compared(opened: OpenedArchive) {
  const report = opened.json("correlation-report.json");
  for (const binding of report.bindings) if ("cgroup_id" in binding) binding.cgroup_id = "<run-local-cgroup-id>";
  return {
    health: opened.text("observation-health.json"),
    surface: opened.text("capability-surface.json"),
    correlation: report,
    sdk: opened.text("layers/sdk.ndjson"),
    policy: opened.text("layers/policy.ndjson"),
  };
}

/** The single-run assertions of an acceptance shape, as one comparable value. */
function shape(scenario: Scenario, opened: OpenedArchive, work: string) {
  const health = opened.json("observation-health.json");
  const surface = opened.json("capability-surface.json");
  const report = opened.json("correlation-report.json");
  const kernel = opened.rows("layers/kernel.ndjson");
  const policy = opened.rows("layers/policy.ndjson");
  const sdk = opened.rows("layers/sdk.ndjson");
  const base = {
    issues: opened.issues,
    health: [health.kernel_layer, health.ringbuf_drops, health.cgroup_correlation, health.policy_layer, health.sdk_layer],
    s2:
      health.notes[0] ===
      `s2_kernel_capture: monitor_events=${kernel.length} ringbuf_drops=0 network_protocol_coverage=absent network_endpoint_claim_scope=not_applicable`,
    seqContiguous: kernel.every((row, i) => row.seq === i),
  };
  if (scenario === "kernel-only") {
    return {
      ...base,
      layers: [opened.text("layers/policy.ndjson"), opened.text("layers/sdk.ndjson")],
      input: surface.filesystem_paths.includes(join(work, "input.txt")),
    };
  }
  const binding = report.bindings[0];
  const common = {
    ...base,
    policy: policy.map((e) => [e.tool_call_id, e.tool, e.decision]),
    surface: [surface.filesystem_paths.includes(join(work, "policy-input.txt")), surface.mcp_tools, surface.policy_decisions],
    binding: [
      report.bindings.length,
      binding?.tool_call_id,
      binding?.policy_decision,
      typeof binding?.cgroup_id === "number" || typeof binding?.cgroup_id === "bigint",
      binding?.kernel_event_count > 0,
      binding?.window,
    ],
    status: [report.status, report.ambiguities],
  };
  if (scenario === "kernel-policy") return { ...common, sdk: opened.text("layers/sdk.ndjson") };
  const hidden = join(work, "hidden-write-output.txt");
  return {
    ...common,
    s5: health.notes.includes("s5_sdk_capture: sdk_events=3 sdk_tool_calls=1"),
    sdk: sdk.map((e) => [e.seq, e.event_type, e.source, e.sdk_name, e.sdk_version, e.tool_call_id, e.tool]),
    agentInput: surface.filesystem_paths.includes(join(work, "openai-agents-input.txt")),
    hiddenInSurface: surface.filesystem_paths.includes(hidden),
    hiddenRows: kernel.filter((row) => row.kind === "openat" && row.value === hidden).map((row) => [row.access_mode, row.operation_flags, row.status]),
  };
}

function expectedShape(scenario: Scenario) {
  const base = {
    issues: [],
    health: [
      "complete",
      0,
      "clean",
      scenario === "kernel-only" ? "absent" : "present",
      scenario === "kernel-only" || scenario === "kernel-policy" ? "absent" : "self_reported",
    ],
    s2: true,
    seqContiguous: true,
  };
  if (scenario === "kernel-only") return { ...base, layers: ["", ""], input: true };
  const common = {
    ...base,
    policy: [["tc_runner_policy_001", "read_file", "allow"]],
    surface: [true, ["read_file"], ["allow:read_file"]],
    binding: [1, "tc_runner_policy_001", "allow", true, true, { start: "run_started", end: "run_finished" }],
    status: ["clean", []],
  };
  if (scenario === "kernel-policy") return { ...common, sdk: "" };
  const tool = ["tc_runner_policy_001", "read_file"];
  const hidden = scenario === "hidden_write";
  return {
    ...common,
    s5: true,
    sdk: [
      [0, "tool_call_started", "openai-agents-fixture", "@openai/agents", "0.11.4", ...tool],
      [1, "tool_call_completed", "openai-agents-fixture", "@openai/agents", "0.11.4", ...tool],
      [2, "run_finished", "openai-agents-fixture", "@openai/agents", "0.11.4", null, null],
    ],
    agentInput: true,
    hiddenInSurface: hidden,
    hiddenRows: hidden ? [["write", ["create", "truncate"], "success"]] : [],
  };
}

const scenarios: readonly Scenario[] = ["kernel-only", "kernel-policy", "matched_safe_read", "hidden_write"];

for (const backend of backends) {
  describe(`assay-runner run --capture ${backend}: upstream kernel acceptance shapes`, () => {
    for (const scenario of scenarios) {
      test.skipIf(cannot[backend])(`${scenario} passes its acceptance checks and is the same over three runs`, async () => {
        using dir = tempDir(`capture-${backend}-${scenario}`);
        const dirs: Dirs = { root: dir.path, work: join(dir.path, "work"), key: writeKeyFile(dir.path) };
        const runId = `run_capture_${backend}_${scenario.replaceAll("-", "_")}`;
        const runs = [];
        for (const index of [1, 2, 3]) runs.push(await runScenario(backend, scenario, runId, dirs, index));
        const first = runs[0]?.opened as OpenedArchive;
        expect(shape(scenario, first, dirs.work)).toEqual(expectedShape(scenario));
        expect(runs.slice(1).map((run) => compared(run.opened))).toEqual([compared(first), compared(first)]);
      });
    }
  });

  describe(`assay-runner run --capture ${backend}: processes and network`, () => {
    test.skipIf(cannot[backend])("an exec through /bin/sh, a TCP connect and a UDP datagram show as execs, both endpoints and full coverage", async () => {
      using dir = tempDir(`capture-${backend}-net`);
      using listener = Bun.listen({
        hostname: "127.0.0.1",
        port: 0,
        socket: { open: (socket) => void socket.end(), data: () => {} },
      });
      const received = Promise.withResolvers<string>();
      const udp = await udpSocket({ hostname: "127.0.0.1", port: 0, socket: { data: (_s, data) => received.resolve(new TextDecoder().decode(data)) } });
      try {
        const archive = join(dir.path, "net.tar.gz");
        const outcome = await runAssay(
          [
            "run",
            "--capture",
            backend,
            "--run-id",
            `run_net_${backend}`,
            "-o",
            archive,
            "--",
            join(fixtures, "network-agent.sh"),
            String(listener.port),
            String(udp.port),
          ],
          { env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) } },
        );
        const opened = await openArchive(archive);
        const health = opened.json("observation-health.json");
        const surface = opened.json("capability-surface.json");
        expect({
          exitCode: outcome.exitCode,
          datagram: await received.promise,
          issues: opened.issues,
          kernel: health.kernel_layer,
          coverage: [health.network_protocol_coverage, health.network_endpoint_claim_scope],
          endpoints: surface.network_endpoints,
          execs: ["/bin/sh", "/bin/true"].map((exec) => surface.process_execs.includes(exec)),
        }).toEqual({
          exitCode: 0,
          datagram: "assay",
          issues: [],
          kernel: "complete",
          coverage: ["connect_and_datagram_peer_observed", "diagnostic_only"],
          endpoints: [`127.0.0.1:${listener.port}`, `127.0.0.1:${udp.port}`].sort(),
          execs: [true, true],
        });
      } finally {
        udp.close();
      }
    });

    test.skipIf(cannot[backend])("grandchildren that never leave the session have their events captured", async () => {
      using dir = tempDir(`capture-${backend}-gc`);
      const work = join(dir.path, "work");
      const archive = join(dir.path, "gc.tar.gz");
      const outcome = await runAssay(
        ["run", "--capture", backend, "--run-id", `run_gc_${backend}`, "-o", archive, "--", join(fixtures, "grandchild-agent.sh"), work],
        {
          env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
        },
      );
      const opened = await openArchive(archive);
      const surface = opened.json("capability-surface.json");
      const written = opened
        .rows("layers/kernel.ndjson")
        .filter((row) => row.kind === "openat" && String(row.value).startsWith(work))
        .map((row) => row.value)
        .sort();
      expect({
        exitCode: outcome.exitCode,
        issues: opened.issues,
        written,
        inSurface: written.every((path) => surface.filesystem_paths.includes(path)),
      }).toEqual({
        exitCode: 0,
        issues: [],
        written: ["background-grandchild.txt", "child.txt", "grandchild.txt"].map((name) => join(work, name)),
        inSurface: true,
      });
    });
  });
}
