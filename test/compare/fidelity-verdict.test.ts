import { describe, expect, test } from "bun:test";
import { fidelityVerdict } from "../../src/compare/index.ts";

const health = (fields: Record<string, unknown>) => ({
  schema: "assay.runner.observation_health.v0",
  run_id: "run_001",
  platform: "linux",
  kernel_layer: "complete",
  ringbuf_drops: 0,
  policy_layer: "absent",
  sdk_layer: "absent",
  cgroup_correlation: "clean",
  notes: [],
  ...fields,
});

describe("fidelityVerdict", () => {
  test("reproduces upstream's clipped vector: drops 3 with a partial cgroup", () => {
    expect(fidelityVerdict(health({ kernel_layer: "partial_ringbuf_drops", ringbuf_drops: 3, cgroup_correlation: "partial" }))).toEqual({
      schema: "assay.runner.fidelity_verdict.v0",
      source_schema: "assay.runner.observation_health.v0",
      run_id: "run_001",
      verdict: "clipped",
      claim_gate: { reported_claims: "allowed", measured_positive_claims: "degraded", bounded_negative_claims: "blocked", per_binding_claims: "blocked" },
      reasons: [
        { field: "ringbuf_drops", observed: "3", rule: "ringbuf_drops_block_bounded_negative_claims" },
        { field: "cgroup_correlation", observed: "partial", rule: "partial_cgroup_correlation_blocks_per_binding_claims" },
      ],
      non_claims: [
        "fidelity_no_observation_health_replacement",
        "fidelity_no_policy_correctness_verdict",
        "fidelity_no_runtime_safety_verdict",
        "fidelity_no_agent_quality_score",
        "fidelity_no_probabilistic_confidence_score",
      ],
    });
  });

  test("maps health to verdicts like upstream: clean, clipped, not_applicable, correlation_partial, failed", () => {
    const verdicts = [
      health({}),
      health({ kernel_layer: "partial_ringbuf_drops" }),
      health({ kernel_layer: "absent", cgroup_correlation: "partial" }),
      health({ platform: "macos", kernel_layer: "absent" }),
      health({ cgroup_correlation: "partial" }),
      {},
      health({ ringbuf_drops: true }),
      health({ ringbuf_drops: 2 }),
      health({ cgroup_correlation: "failed" }),
      health({ platform: "macos" }),
      health({ run_id: "" }),
      (({ platform, ...rest }) => rest)(health({})),
    ].map((h) => [fidelityVerdict(h).verdict, fidelityVerdict(h).reasons[0]?.rule]);
    expect(verdicts).toEqual([
      ["clean", "complete_kernel_layer_zero_drops_clean_cgroup_correlation"],
      ["clipped", "partial_kernel_layer_blocks_bounded_negative_claims"],
      ["not_applicable", "absent_kernel_layer_blocks_measured_kernel_effect_claims"],
      ["not_applicable", "non_linux_platform_has_no_kernel_measurement_surface"],
      ["correlation_partial", "partial_cgroup_correlation_blocks_per_binding_claims"],
      ["failed", "observation_health_schema_must_match_source_schema"],
      ["failed", "ringbuf_drops_must_be_a_non_negative_integer"],
      ["failed", "ringbuf_drops_require_partial_kernel_layer"],
      ["failed", "failed_cgroup_correlation_blocks_runner_measured_claims"],
      ["failed", "non_linux_platform_requires_absent_kernel_layer"],
      ["failed", "run_id_required_for_fidelity_verdict"],
      ["failed", "platform_required_for_fidelity_verdict"],
    ]);
  });

  test("a partial cgroup blocks per-binding claims for every verdict but failed", () => {
    const gate = fidelityVerdict(health({ kernel_layer: "absent", cgroup_correlation: "partial" })).claim_gate;
    expect(gate).toEqual({
      reported_claims: "allowed",
      measured_positive_claims: "blocked",
      bounded_negative_claims: "blocked",
      per_binding_claims: "blocked",
    });
  });
});
