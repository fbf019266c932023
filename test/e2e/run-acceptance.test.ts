// Upstream's contract-only acceptance shapes (run lifecycle §7: sdk-contract, sdk-policy-correlation,
// sdk-policy-mismatch) and their three-run determinism wrappers, with the compiled binary.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { filesIn, leftoverSessions, openArchive, writeKeyFile, type OpenedArchive } from "../run/_archive.ts";
import { host, repoRoot, runAssay, skipReason, tempDir } from "../harness.ts";

const fixtures = join(repoRoot, "test/fixtures/run");
const cannot = skipReason(!host.hasBinary || !host.hasCgroup2, "run e2e needs the compiled binary (bun scripts/build.ts) and root with cgroup v2");

interface Scenario {
  readonly runId: string;
  readonly script: "sdk-event-wrapper.sh" | "sdk-policy-agent.sh";
  readonly policy: boolean;
  readonly sdkToolCallId?: string;
}

/** One acceptance run: work dir, SDK log and policy log in a control dir, archive in an artifact dir. */
async function runScenario(scenario: Scenario, dirs: { control: string; work: string; artifact: string; key: string }) {
  const sdkLog = join(dirs.control, "sdk-events.ndjson");
  const policyLog = join(dirs.control, "policy-decisions.ndjson");
  const archive = join(dirs.artifact, "bundle.tar.gz");
  const args = ["run", "--capture", "none", "--agent-shim", "openai-agents", "--run-id", scenario.runId, "-o", archive, "--sdk-event-log", sdkLog];
  if (scenario.policy) args.push("--policy-decision-log", policyLog);
  args.push("--", join(fixtures, scenario.script), dirs.work);
  const env: Record<string, string> = { ASSAY_REDACTION_KEY_FILE: dirs.key, ASSAY_RUNNER_POLICY_DECISION_LOG: policyLog };
  if (scenario.sdkToolCallId) env.ASSAY_RUNNER_SDK_TOOL_CALL_ID = scenario.sdkToolCallId;
  const outcome = await runAssay(args, { env });
  return { outcome, archive, sdkLog, policyLog };
}

/** The common checks of every upstream gate: verifies, run ids agree, schemas are right. */
function commonShape(opened: OpenedArchive, runId: string) {
  return {
    issues: opened.issues,
    runIds: ["manifest.json", "observation-health.json", "capability-surface.json", "correlation-report.json"].map((m) => opened.json(m).run_id),
    schemas: ["manifest.json", "observation-health.json", "capability-surface.json", "correlation-report.json"].map((m) => opened.json(m).schema),
    expectedRunIds: [runId, runId, runId, runId],
  };
}

const COMMON_SCHEMAS = [
  "assay.runner.archive_manifest.v0",
  "assay.runner.observation_health.v0",
  "assay.runner.capability_surface.v0",
  "assay.runner.correlation_report.v0",
];

describe("assay-runner run: upstream contract-only acceptance", () => {
  test.skipIf(cannot)("sdk-contract: three SDK events mirror the log; kernel and policy layers stay empty", async () => {
    using control = tempDir("acc-control");
    using artifact = tempDir("acc-artifact");
    const work = join(control.path, "work");
    const key = writeKeyFile(control.path);
    const runId = "run_sdk_contract";
    const { outcome, archive, sdkLog } = await runScenario(
      { runId, script: "sdk-event-wrapper.sh", policy: false },
      { control: control.path, work, artifact: artifact.path, key },
    );
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, wrote: outcome.stderr.includes(`wrote ${archive}`) }).toEqual({
      exitCode: 0,
      stdout: "",
      wrote: true,
    });

    const opened = await openArchive(archive);
    const common = commonShape(opened, runId);
    expect(common).toEqual({ issues: [], runIds: common.expectedRunIds, schemas: COMMON_SCHEMAS, expectedRunIds: common.expectedRunIds });
    const health = opened.json("observation-health.json");
    const source = readFileSync(sdkLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const sdk = opened.rows("layers/sdk.ndjson");
    expect({
      kernel_layer: health.kernel_layer,
      ringbuf_drops: health.ringbuf_drops,
      policy_layer: health.policy_layer,
      sdk_layer: health.sdk_layer,
      cgroup_correlation: health.cgroup_correlation,
      kernel: opened.text("layers/kernel.ndjson"),
      policy: opened.text("layers/policy.ndjson"),
      mirrored: sdk.map((e) => [e.event_type, e.source, e.sdk_name, e.sdk_version]),
      seqs: sdk.map((e) => e.seq),
      toolEvents: sdk.filter((e) => e.event_type.startsWith("tool_call")).map((e) => [e.tool_call_id, e.tool]),
      marker: readFileSync(join(work, "sdk-wrapper-ran.txt"), "utf8"),
      filesystem_paths: opened.json("capability-surface.json").filesystem_paths,
      bindings: opened.json("correlation-report.json").bindings,
      sessions: leftoverSessions(runId),
    }).toEqual({
      kernel_layer: "absent",
      ringbuf_drops: 0,
      policy_layer: "absent",
      sdk_layer: "self_reported",
      cgroup_correlation: "partial",
      kernel: "",
      policy: "",
      mirrored: source.map((e) => [e.event_type, e.source, e.sdk_name, e.sdk_version]),
      seqs: [0, 1, 2],
      toolEvents: [
        ["tc_runner_sdk_001", "read_file"],
        ["tc_runner_sdk_001", "read_file"],
      ],
      marker: "sdk wrapper ran\n",
      filesystem_paths: [],
      bindings: [],
      sessions: [],
    });
  });

  for (const mismatch of [false, true]) {
    const name = mismatch ? "sdk-policy-mismatch" : "sdk-policy-correlation";
    const sdkId = mismatch ? "tc_runner_sdk_only_001" : "tc_runner_policy_001";
    test.skipIf(cannot)(`${name}: one policy binding; the SDK id ${mismatch ? "is flagged" : "matches"}`, async () => {
      using control = tempDir("acc-control");
      using artifact = tempDir("acc-artifact");
      const key = writeKeyFile(control.path);
      const runId = mismatch ? "run_sdk_policy_mismatch" : "run_sdk_policy_correlation";
      const { outcome, archive, policyLog } = await runScenario(
        { runId, script: "sdk-policy-agent.sh", policy: true, sdkToolCallId: sdkId },
        { control: control.path, work: join(control.path, "work"), artifact: artifact.path, key },
      );
      expect({ exitCode: outcome.exitCode, stdout: outcome.stdout }).toEqual({ exitCode: 0, stdout: "" });
      const opened = await openArchive(archive);
      const common = commonShape(opened, runId);
      expect(common).toEqual({ issues: [], runIds: common.expectedRunIds, schemas: COMMON_SCHEMAS, expectedRunIds: common.expectedRunIds });
      const health = opened.json("observation-health.json");
      const surface = opened.json("capability-surface.json");
      const report = opened.json("correlation-report.json");
      const policy = opened.rows("layers/policy.ndjson");
      const sdk = opened.rows("layers/sdk.ndjson");
      const flagged = report.ambiguities.filter((a: string) => a.startsWith("sdk_tool_call_without_policy_binding:"));
      expect({
        layers: [health.sdk_layer, health.policy_layer, health.kernel_layer],
        s5: health.notes.includes("s5_sdk_capture: sdk_events=3 sdk_tool_calls=1"),
        counts: [sdk.length, policy.length, readFileSync(policyLog, "utf8").split("\n").filter(Boolean).length],
        sdkIds: [...new Set(sdk.flatMap((e) => (e.tool_call_id ? [e.tool_call_id] : [])))],
        policyIds: policy.map((e) => e.tool_call_id),
        policyRow: [policy[0]?.tool, policy[0]?.decision, policy[0]?.source],
        surface: [surface.mcp_tools, surface.policy_decisions],
        bindings: report.bindings,
        status: report.status,
        flagged,
      }).toEqual({
        layers: ["self_reported", "present", "absent"],
        s5: true,
        counts: [3, 1, 1],
        sdkIds: [sdkId],
        policyIds: ["tc_runner_policy_001"],
        policyRow: ["read_file", "allow", `assay://runner-spike/${runId}`],
        surface: [["read_file"], ["allow:read_file"]],
        bindings: [
          { tool_call_id: "tc_runner_policy_001", policy_decision: "allow", kernel_event_count: 0, window: { start: "run_started", end: "run_finished" } },
        ],
        // Partial in both modes: there are no kernel rows (policy_events_without_kernel_events).
        status: "partial",
        flagged: mismatch ? [`sdk_tool_call_without_policy_binding:${sdkId}`] : [],
      });
    });
  }
});

describe("assay-runner run: three-run determinism (same run id, same work dir)", () => {
  const compared = ["observation-health.json", "capability-surface.json", "correlation-report.json", "layers/sdk.ndjson", "layers/policy.ndjson"];
  const scenarios: Array<[string, Scenario]> = [
    ["sdk-contract", { runId: "run_det_sdk_contract", script: "sdk-event-wrapper.sh", policy: false }],
    ["sdk-policy-correlation", { runId: "run_det_sdk_policy", script: "sdk-policy-agent.sh", policy: true }],
    ["sdk-policy-mismatch", { runId: "run_det_sdk_mismatch", script: "sdk-policy-agent.sh", policy: true, sdkToolCallId: "tc_runner_sdk_only_001" }],
  ];
  for (const [name, scenario] of scenarios) {
    test.skipIf(cannot)(`${name}: runs 2 and 3 equal run 1 byte for byte in what upstream compares`, async () => {
      using control = tempDir("det-control");
      const key = writeKeyFile(control.path);
      const work = join(control.path, "work");
      const runs: Array<Record<string, string>> = [];
      for (let i = 1; i <= 3; i++) {
        using artifact = tempDir(`det-run-${i}`);
        // The SDK-only wrappers do not reset the work dir; we do, which is never weaker.
        rmSync(work, { recursive: true, force: true });
        const { outcome, archive } = await runScenario(scenario, { control: control.path, work, artifact: artifact.path, key });
        const opened = await openArchive(archive);
        expect({ exitCode: outcome.exitCode, issues: opened.issues }).toEqual({ exitCode: 0, issues: [] });
        runs.push(Object.fromEntries(compared.map((member) => [member, opened.text(member)])));
      }
      expect([runs[1], runs[2]]).toEqual([runs[0], runs[0]] as Array<Record<string, string>>);
    });
  }
});

describe("assay-runner run: the session", () => {
  test.skipIf(cannot)("the workload's own /proc/self/cgroup shows the session, and the session is gone afterwards", async () => {
    using dir = tempDir("cgroup-proof");
    const runId = `run_cgroup_proof_${process.pid}`;
    const outcome = await runAssay(["run", "--capture", "none", "--run-id", runId, "-o", join(dir.path, "a.tar.gz"), "--", "cat", "/proc/self/cgroup"], {
      env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
    });
    const v2 = outcome.stdout.split("\n").find((line) => line.startsWith("0::"));
    expect({ exitCode: outcome.exitCode, v2, sessions: leftoverSessions(runId), files: filesIn(dir.path) }).toEqual({
      exitCode: 0,
      v2: `0::/assay-session-${runId}`,
      sessions: [],
      files: ["a.tar.gz", "redaction.key"],
    });
  });

  test.skipIf(cannot)("--cgroup-parent puts the session under the given cgroup and leaves that cgroup as it was", async () => {
    using dir = tempDir("cgroup-parent");
    const parent = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-test-parent-${process.pid}`);
    mkdirSync(parent);
    try {
      const runId = `run_cgroup_parent_${process.pid}`;
      const outcome = await runAssay(
        ["run", "--capture", "none", "--run-id", runId, "--cgroup-parent", parent, "-o", join(dir.path, "a.tar.gz"), "--", "cat", "/proc/self/cgroup"],
        {
          env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
        },
      );
      const v2 = outcome.stdout.split("\n").find((line) => line.startsWith("0::"));
      expect({ exitCode: outcome.exitCode, v2, children: readdirSync(parent).filter((n) => n.startsWith("assay-session-")) }).toEqual({
        exitCode: 0,
        v2: `0::/assay-test-parent-${process.pid}/assay-session-${runId}`,
        children: [],
      });
    } finally {
      rmdirSync(parent);
    }
  });
});
