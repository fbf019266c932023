import * as v from "valibot";
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
  const runId = isObject(health) && typeof health.run_id === "string" ? health.run_id : "";
  const read = readHealth(health);
  if (!read.ok) return build(runId, "failed", [read.reason], false);
  const { platform, kernel_layer: kernel, ringbuf_drops: drops } = read.health;
  const cgroupPartial = read.health.cgroup_correlation === "partial";
  if (platform !== "linux")
    return build(
      runId,
      "not_applicable",
      [{ field: "platform", observed: platform, rule: "non_linux_platform_has_no_kernel_measurement_surface" }],
      cgroupPartial,
    );
  if (kernel === "absent")
    return build(
      runId,
      "not_applicable",
      [{ field: "kernel_layer", observed: kernel, rule: "absent_kernel_layer_blocks_measured_kernel_effect_claims" }],
      cgroupPartial,
    );
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

// The health fields a verdict reads, in the order they are judged; the first one that fails names the reason.
const FidelityHealthSchema = v.looseObject({
  schema: v.literal(OBSERVATION_HEALTH_SCHEMA),
  run_id: v.pipe(
    v.string(),
    v.check((id) => id.trim().length > 0),
  ),
  // deviation: upstream's Rust reader fails to deserialize the fields below; the rule names are
  // ours (the Python mirror only answers `failed`), so a malformed record still gets a named reason.
  platform: v.string(),
  kernel_layer: v.picklist(["complete", "partial_ringbuf_drops", "absent"]),
  cgroup_correlation: v.picklist(["clean", "partial", "failed"]),
  ringbuf_drops: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

type FidelityHealth = v.InferOutput<typeof FidelityHealthSchema>;

const RULES: Readonly<Record<keyof typeof FidelityHealthSchema.entries, string>> = {
  schema: "observation_health_schema_must_match_source_schema",
  run_id: "run_id_required_for_fidelity_verdict",
  platform: "platform_required_for_fidelity_verdict",
  kernel_layer: "kernel_layer_must_be_a_known_value",
  cgroup_correlation: "cgroup_correlation_must_be_a_known_value",
  ringbuf_drops: "ringbuf_drops_must_be_a_non_negative_integer",
};

// The health's fields, or the reason it fails (upstream `validate_observation_health_for_fidelity`).
function readHealth(health: unknown): { readonly ok: true; readonly health: FidelityHealth } | { readonly ok: false; readonly reason: FidelityReason } {
  const shown = (value: unknown): string => (typeof value === "string" ? value : value === undefined ? "<missing>" : JSON.stringify(value));
  if (!isObject(health) || Object.keys(health).length === 0) {
    return { ok: false, reason: { field: "schema", observed: shown(isObject(health) ? health.schema : health), rule: RULES.schema } };
  }
  const parsed = v.safeParse(FidelityHealthSchema, health, { abortEarly: true });
  if (!parsed.success) {
    const field = parsed.issues[0].path?.[0]?.key;
    const known = Object.keys(RULES).find((key): key is keyof typeof RULES => key === field) ?? "schema";
    return { ok: false, reason: { field: known, observed: shown(health[known]), rule: RULES[known] } };
  }
  const h = parsed.output;
  if (h.ringbuf_drops > 0 && h.kernel_layer !== "partial_ringbuf_drops")
    return { ok: false, reason: { field: "ringbuf_drops", observed: String(h.ringbuf_drops), rule: "ringbuf_drops_require_partial_kernel_layer" } };
  if (h.platform !== "linux" && h.kernel_layer !== "absent")
    return { ok: false, reason: { field: "kernel_layer", observed: h.kernel_layer, rule: "non_linux_platform_requires_absent_kernel_layer" } };
  if (h.cgroup_correlation === "failed")
    return { ok: false, reason: { field: "cgroup_correlation", observed: "failed", rule: "failed_cgroup_correlation_blocks_runner_measured_claims" } };
  return { ok: true, health: h };
}
