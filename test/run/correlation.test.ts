import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../src/evidence/index.ts";
import { buildCorrelationReport } from "../../src/run/index.ts";
import { upstreamFixtures } from "../harness.ts";

const policy = (id: string, decision = "allow") => ({ tool_call_id: id, decision, tool: "read_file" });
const sdk = (id: string | null) => ({ tool_call_id: id });

describe("buildCorrelationReport", () => {
  test("reproduces upstream's golden binding for one policy event with kernel rows and no cgroup offered", () => {
    const golden = JSON.parse(readFileSync(join(upstreamFixtures, "golden/correlation-report-openai-agents-kernel-policy-v0.json"), "utf8"));
    const report = buildCorrelationReport({
      runId: golden.run_id,
      policy: [policy("tc_runner_policy_001")],
      sdk: [sdk("tc_runner_policy_001"), sdk("tc_runner_policy_001"), sdk(null)],
      kernelEventCount: 2,
      sessionCgroupId: undefined,
    });
    expect(report).toEqual(golden);
  });

  test("without a policy layer the report is clean with no bindings, as in every real upstream archive", () => {
    const report = buildCorrelationReport({ runId: "run_001", policy: [], sdk: [sdk("tc_x")], kernelEventCount: 0, sessionCgroupId: undefined });
    // The empty-archive vector of archive spec §4.5.
    expect(canonicalJson(report)).toBe('{"schema":"assay.runner.correlation_report.v0","run_id":"run_001","status":"clean","bindings":[],"ambiguities":[]}');
  });

  test("contract-only policy: partial because there are no kernel rows", () => {
    const report = buildCorrelationReport({
      runId: "r",
      policy: [policy("tc_runner_policy_001")],
      sdk: [sdk("tc_runner_policy_001")],
      kernelEventCount: 0,
      sessionCgroupId: undefined,
    });
    expect([report.status, report.ambiguities]).toEqual(["partial", ["policy_events_without_kernel_events"]]);
  });

  test("flags SDK tool calls without a policy binding, sorted by code point, after policy ambiguities", () => {
    const report = buildCorrelationReport({
      runId: "r",
      policy: [policy("tc_b")],
      sdk: [sdk("tc_z"), sdk("tc_b"), sdk("tc_a"), sdk(null), sdk("tc_z")],
      kernelEventCount: 0,
      sessionCgroupId: undefined,
    });
    expect(report.ambiguities).toEqual([
      "policy_events_without_kernel_events",
      "sdk_tool_call_without_policy_binding:tc_a",
      "sdk_tool_call_without_policy_binding:tc_z",
    ]);
  });

  test("offers the session cgroup id only to a single policy event", () => {
    const one = buildCorrelationReport({ runId: "r", policy: [policy("a")], sdk: [], kernelEventCount: 3, sessionCgroupId: 2n ** 60n });
    const two = buildCorrelationReport({ runId: "r", policy: [policy("a"), policy("b", "deny")], sdk: [], kernelEventCount: 3, sessionCgroupId: 7n });
    expect(canonicalJson(one.bindings[0])).toBe(
      '{"tool_call_id":"a","policy_decision":"allow","cgroup_id":1152921504606846976,"kernel_event_count":3,"window":{"start":"run_started","end":"run_finished"}}',
    );
    expect([two.status, two.ambiguities, two.bindings.map((b) => "cgroup_id" in b)]).toEqual([
      "partial",
      ["session_cgroup_ambiguous_for_multiple_policy_events"],
      [false, false],
    ]);
  });
});
