import { isObject } from "./_problem.ts";
import { FIDELITY_VERDICT_SCHEMA, OBSERVATION_HEALTH_SCHEMA } from "./_schemas.ts";

/** The five fidelity verdicts. */
export type FidelityVerdictValue = "clean" | "clipped" | "correlation_partial" | "failed" | "not_applicable";

/** A gate decision for one kind of claim. */
export type GateDecision = "allowed" | "degraded" | "blocked";

/** Which claims a verdict lets through. */
export interface ClaimGate {
  readonly reported_claims: GateDecision;
  readonly measured_positive_claims: GateDecision;
  readonly bounded_negative_claims: GateDecision;
  readonly per_binding_claims: GateDecision;
}

/** One reason behind a verdict: the health field, what it held, and the rule applied. */
export interface FidelityReason {
  readonly field: string;
  readonly observed: string;
  readonly rule: string;
}

/** An `assay.runner.fidelity_verdict.v0` document (archive spec §2.10), keys in upstream order. */
export interface FidelityVerdict {
  readonly schema: typeof FIDELITY_VERDICT_SCHEMA;
  readonly source_schema: typeof OBSERVATION_HEALTH_SCHEMA;
  readonly run_id: string;
  readonly verdict: FidelityVerdictValue;
  readonly claim_gate: ClaimGate;
  readonly reasons: FidelityReason[];
  readonly non_claims: string[];
}

/** The verdicts in the order the claim-support table lists them (not declaration order). */
export const FIDELITY_VERDICTS: readonly FidelityVerdictValue[] = ["clean", "clipped", "correlation_partial", "not_applicable", "failed"];

/** The claim gate of a verdict, before the partial-cgroup per-binding override (archive spec §2.10). */
export function claimGateFor(verdict: FidelityVerdictValue): ClaimGate {
  const [reported, positive, negative, perBinding] = GATES[verdict];
  return { reported_claims: reported, measured_positive_claims: positive, bounded_negative_claims: negative, per_binding_claims: perBinding };
}

/** Derives the fidelity verdict of one observation-health value (any parsed JSON). */
export function fidelityVerdict(health: unknown): FidelityVerdict {
  const h = isObject(health) ? health : {};
  const runId = typeof h.run_id === "string" ? h.run_id : "";
  const failed = validationFailure(health);
  if (failed !== undefined) return build(runId, "failed", [failed], false);
  const platform = h.platform as string;
  const kernel = h.kernel_layer as string;
  const drops = h.ringbuf_drops as number;
  const cgroupPartial = h.cgroup_correlation === "partial";
  if (platform !== "linux") return build(runId, "not_applicable", [{ field: "platform", observed: platform, rule: "non_linux_platform_has_no_kernel_measurement_surface" }], cgroupPartial);
  if (kernel === "absent") return build(runId, "not_applicable", [{ field: "kernel_layer", observed: kernel, rule: "absent_kernel_layer_blocks_measured_kernel_effect_claims" }], cgroupPartial);
  const reasons: FidelityReason[] = [];
  let clipped = false;
  if (drops > 0) {
    reasons.push({ field: "ringbuf_drops", observed: String(drops), rule: "ringbuf_drops_block_bounded_negative_claims" });
    clipped = true;
  } else if (kernel === "partial_ringbuf_drops") {
    reasons.push({ field: "kernel_layer", observed: kernel, rule: "partial_kernel_layer_blocks_bounded_negative_claims" });
    clipped = true;
  }
  if (cgroupPartial) reasons.push({ field: "cgroup_correlation", observed: "partial", rule: "partial_cgroup_correlation_blocks_per_binding_claims" });
  if (clipped) return build(runId, "clipped", reasons, cgroupPartial);
  if (cgroupPartial) return build(runId, "correlation_partial", reasons, cgroupPartial);
  return build(runId, "clean", [{ field: "observation_health", observed: "clean", rule: "complete_kernel_layer_zero_drops_clean_cgroup_correlation" }], false);
}

// --- internal ---

const A = "allowed";
const D = "degraded";
const B = "blocked";
const GATES: Readonly<Record<FidelityVerdictValue, readonly [GateDecision, GateDecision, GateDecision, GateDecision]>> = {
  clean: [A, A, A, A],
  clipped: [A, D, B, A],
  correlation_partial: [A, D, B, B],
  not_applicable: [A, B, B, B],
  failed: [B, B, B, B],
};

const NON_CLAIMS = [
  "fidelity_no_observation_health_replacement",
  "fidelity_no_policy_correctness_verdict",
  "fidelity_no_runtime_safety_verdict",
  "fidelity_no_agent_quality_score",
  "fidelity_no_probabilistic_confidence_score",
];

const KERNEL_LAYERS = ["complete", "partial_ringbuf_drops", "absent"];
const CORRELATIONS = ["clean", "partial", "failed"];

function build(runId: string, verdict: FidelityVerdictValue, reasons: FidelityReason[], cgroupPartial: boolean): FidelityVerdict {
  const gate = claimGateFor(verdict);
  return {
    schema: FIDELITY_VERDICT_SCHEMA,
    source_schema: OBSERVATION_HEALTH_SCHEMA,
    run_id: runId,
    verdict,
    claim_gate: cgroupPartial && verdict !== "failed" ? { ...gate, per_binding_claims: "blocked" } : gate,
    reasons,
    non_claims: [...NON_CLAIMS],
  };
}

function validationFailure(health: unknown): FidelityReason | undefined {
  const shown = (value: unknown): string => (typeof value === "string" ? value : value === undefined ? "<missing>" : JSON.stringify(value));
  if (!isObject(health) || Object.keys(health).length === 0 || health.schema !== OBSERVATION_HEALTH_SCHEMA) {
    return { field: "schema", observed: shown(isObject(health) ? health.schema : health), rule: "observation_health_schema_must_match_source_schema" };
  }
  if (typeof health.run_id !== "string" || health.run_id.trim().length === 0) {
    return { field: "run_id", observed: shown(health.run_id), rule: "run_id_required_for_fidelity_verdict" };
  }
  // deviation: upstream's Rust reader fails to deserialize these; the rule names are ours (the
  // Python mirror only answers `failed`), so a malformed record still gets a named reason.
  if (typeof health.platform !== "string") return { field: "platform", observed: shown(health.platform), rule: "platform_required_for_fidelity_verdict" };
  if (!KERNEL_LAYERS.includes(health.kernel_layer as string)) return { field: "kernel_layer", observed: shown(health.kernel_layer), rule: "kernel_layer_must_be_a_known_value" };
  if (!CORRELATIONS.includes(health.cgroup_correlation as string)) return { field: "cgroup_correlation", observed: shown(health.cgroup_correlation), rule: "cgroup_correlation_must_be_a_known_value" };
  const drops = health.ringbuf_drops;
  if (typeof drops !== "number" || !Number.isInteger(drops) || drops < 0) return { field: "ringbuf_drops", observed: shown(drops), rule: "ringbuf_drops_must_be_a_non_negative_integer" };
  if (drops > 0 && health.kernel_layer !== "partial_ringbuf_drops") return { field: "ringbuf_drops", observed: String(drops), rule: "ringbuf_drops_require_partial_kernel_layer" };
  if (health.platform !== "linux" && health.kernel_layer !== "absent") return { field: "kernel_layer", observed: health.kernel_layer as string, rule: "non_linux_platform_requires_absent_kernel_layer" };
  if (health.cgroup_correlation === "failed") return { field: "cgroup_correlation", observed: "failed", rule: "failed_cgroup_correlation_blocks_runner_measured_claims" };
  return undefined;
}
