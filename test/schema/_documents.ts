// Valid documents of every kind, shaped like real upstream output, for tests to mutate.

/** A run id used by every sample document. */
export const RUN_ID = "run_001";

/** Returns a fresh copy of a valid sample document of the given kind. */
export function sample<K extends keyof typeof SAMPLES>(kind: K): (typeof SAMPLES)[K] {
  return structuredClone(SAMPLES[kind]);
}

/** Keeps only what a test asserts on: code and path of every issue. */
export function codesAndPaths(result: { ok: boolean; issues?: readonly { code: string; path: string }[] }): { code: string; path: string }[] {
  return result.ok ? [] : (result.issues ?? []).map(({ code, path }) => ({ code, path }));
}

// --- internal ---

const digest = (c: string) => `sha256:${c.repeat(64)}`;

const SAMPLES = {
  manifest: {
    schema: "assay.runner.archive_manifest.v0",
    run_id: RUN_ID,
    files: {
      "capability-surface.json": { path: "capability-surface.json", sha256: digest("a"), bytes: 167 },
      "correlation-report.json": { path: "correlation-report.json", sha256: digest("b"), bytes: 114 },
      "events.ndjson": { path: "events.ndjson", sha256: digest("c"), bytes: 0 },
      "layers/kernel.ndjson": { path: "layers/kernel.ndjson", sha256: digest("d"), bytes: 0 },
      "layers/policy.ndjson": { path: "layers/policy.ndjson", sha256: digest("e"), bytes: 0 },
      "layers/sdk.ndjson": { path: "layers/sdk.ndjson", sha256: digest("f"), bytes: 0 },
      "observation-health.json": { path: "observation-health.json", sha256: digest("0"), bytes: 299 },
    } as Record<string, { path: string; sha256: string; bytes: number | bigint }>,
  },
  runStarted: {
    schema: "assay.runner.event.v0",
    run_id: RUN_ID,
    seq: 0,
    type: "run_started",
    agent_shim: "openai-agents",
    command: ["node", "workload.js"],
    env_keys: ["ASSAY_RUNNER_RUN_ID", "ASSAY_RUNNER_SDK_EVENT_LOG", "ASSAY_RUNNER_SDK_EVENT_SCHEMA"],
    window_elapsed_ms: 0,
  },
  runFinished: {
    schema: "assay.runner.event.v0",
    run_id: RUN_ID,
    seq: 1,
    type: "run_finished",
    exit_code: 0 as number | null,
    signal: null as number | null,
    success: true,
    window_elapsed_ms: 6917,
  },
  openat: {
    schema: "assay.runner.kernel_event.v0",
    run_id: RUN_ID,
    seq: 0,
    pid: 1234,
    event_type: 1,
    kind: "openat",
    value: "/tmp/work/fixture-output.txt" as string | null,
    flags: 577 as number | bigint,
    mode: 420,
    return_value: 4 as number | bigint,
    access_mode: "write",
    operation_flags: ["create", "truncate"],
    status: "success",
  } as Record<string, unknown>,
  sdk: {
    schema: "assay.runner.sdk_event.v0",
    run_id: RUN_ID,
    seq: 0,
    event_type: "tool_call_started",
    source: "openai-agents",
    sdk_name: "@openai/agents",
    sdk_version: "unknown",
    tool_call_id: "tc_openai_1" as string | null,
    tool: "read_file" as string | null,
  } as Record<string, unknown>,
  policy: {
    schema: "assay.runner.policy_event.v0",
    run_id: RUN_ID,
    seq: 0,
    source_event_type: "assay.tool.decision",
    source: "assay://runner-spike/run_001",
    tool_call_id: "tc_runner_policy_001",
    tool: "read_file",
    decision: "allow",
  } as Record<string, unknown>,
  surface: {
    schema: "assay.runner.capability_surface.v0",
    run_id: RUN_ID,
    filesystem_paths: ["/tmp/work/a.txt", "/tmp/work/b.txt"],
    network_endpoints: ["127.0.0.53:53", "[2a00:1450:400e:806::200a]:0"],
    process_execs: [] as string[],
    mcp_tools: ["read_file"],
    policy_decisions: ["allow:read_file"],
  } as Record<string, unknown>,
  correlation: {
    schema: "assay.runner.correlation_report.v0",
    run_id: RUN_ID,
    status: "clean",
    bindings: [
      {
        tool_call_id: "tc_runner_policy_001",
        policy_decision: "allow" as string | null,
        cgroup_id: 4242 as number | bigint | undefined,
        kernel_event_count: 2,
        window: { start: "run_started", end: "run_finished" },
      },
    ],
    ambiguities: [] as string[],
  },
  health: {
    schema: "assay.runner.observation_health.v0",
    run_id: RUN_ID,
    platform: "linux",
    kernel_layer: "complete",
    ringbuf_drops: 0 as number | bigint,
    policy_layer: "present",
    sdk_layer: "self_reported",
    cgroup_correlation: "clean",
    network_protocol_coverage: "connect_only",
    network_endpoint_claim_scope: "diagnostic_only",
    redaction: {
      mode: "shape_and_flag",
      redacted_count: 4,
      by_rule: { "credential-flag-value": 2, "github-token": 1, "url-userinfo": 1 },
      by_field: { command: 1, filesystem_paths: 1, network_endpoints: 1, process_execs: 1 },
      key_scope: "host_local",
      key_id: "hmac-sha256:d59e5ced",
    },
    notes: ["s2_kernel_capture: monitor_events=4 ringbuf_drops=0", "s4_policy_capture: decision_events=1"],
  } as Record<string, unknown>,
};
