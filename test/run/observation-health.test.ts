import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../src/evidence/index.ts";
import { buildObservationHealth, CONTRACT_ONLY_NOTE } from "../../src/run/index.ts";
import { upstreamFixtures } from "../harness.ts";

describe("buildObservationHealth", () => {
  test("contract-only defaults are upstream's ObservationHealth::new plus the contract-only note", () => {
    const health = buildObservationHealth({
      runId: "run_001",
      platform: "linux",
      kernel: undefined,
      policyEvents: undefined,
      sdk: undefined,
      redaction: undefined,
      extraNotes: [],
    });
    // The empty-archive health vector of archive spec §4.5, with the contract-only note of §2.8.
    const vector =
      '{"schema":"assay.runner.observation_health.v0","run_id":"run_001","platform":"linux","kernel_layer":"absent","ringbuf_drops":0,"policy_layer":"absent","sdk_layer":"absent","cgroup_correlation":"partial","network_protocol_coverage":"absent","network_endpoint_claim_scope":"not_applicable","notes":[]}';
    expect(canonicalJson(health)).toBe(vector.replace('"notes":[]', `"notes":[${JSON.stringify(CONTRACT_ONLY_NOTE)}]`));
  });

  test("a kernel run reproduces upstream's golden field order and note order (kernel, policy, SDK)", () => {
    const golden = JSON.parse(readFileSync(join(upstreamFixtures, "golden/observation-health-openai-agents-kernel-policy-v0.json"), "utf8"));
    const health = buildObservationHealth({
      runId: golden.run_id,
      platform: "linux",
      kernel: {
        kernel_layer: "complete",
        ringbuf_drops: 0,
        cgroup_correlation: "clean",
        network_protocol_coverage: "connect_only",
        network_endpoint_claim_scope: "diagnostic_only",
        note: golden.notes[0],
      },
      policyEvents: 1,
      sdk: { events: 3, toolCalls: 1 },
      redaction: undefined,
      extraNotes: [],
    });
    // The golden predates the code's note text: it says policy_events=, the code writes decision_events= (§9 item 5).
    expect(health).toEqual({ ...golden, notes: [golden.notes[0], "s4_policy_capture: decision_events=1", golden.notes[2]] });
  });

  test("puts the redaction block before notes and our notes after upstream's", () => {
    const redaction = { mode: "disabled_unsafe", redacted_count: 0, by_rule: {}, by_field: {}, key_scope: "ephemeral", key_id: "none" };
    const health = buildObservationHealth({
      runId: "r",
      platform: "linux",
      kernel: undefined,
      policyEvents: 2,
      sdk: undefined,
      redaction,
      extraNotes: ["run_timeout: x"],
    });
    expect(Object.keys(health).slice(-2)).toEqual(["redaction", "notes"]);
    expect(health.notes).toEqual([CONTRACT_ONLY_NOTE, "s4_policy_capture: decision_events=2", "run_timeout: x"]);
  });
});
