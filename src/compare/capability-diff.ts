import { fail, ok, type EndpointName, type EndpointNames, type Result } from "../schema/index.ts";
import { compareCodePoints, diffSets } from "./_order.ts";
import { Problem } from "./_problem.ts";
import { CAPABILITY_DIFF_SCHEMA } from "./_schemas.ts";
import {
  checkSide,
  diffCategory,
  diffPreconditions,
  emptyUnbound,
  partialReasons,
  perCategory,
  SURFACE_CATEGORIES,
  type EvidenceSet,
  type SetDiff,
  type SurfaceCategory,
} from "./evidence-set.ts";

/** The statuses of a capability or cross-runtime diff, in upstream's vocabulary (`failed` and `partial:unbound` are never emitted). */
export const DIFF_STATUSES = ["clean", "partial:health", "partial:correlation", "partial:unbound", "failed"] as const;

/** Status of a capability or cross-runtime diff. */
export type DiffStatus = (typeof DIFF_STATUSES)[number];

/** One policy outcome change for a binding id present on both sides. */
export interface PolicyOutcomeChange {
  readonly tool_call_id: string;
  readonly base: string | null;
  readonly head: string | null;
}

/** An `assay.runner.capability_diff.v0` document, keys in upstream order (spec §2). */
export interface CapabilityDiff {
  readonly schema: typeof CAPABILITY_DIFF_SCHEMA;
  readonly base_run_id: string;
  readonly head_run_id: string;
  readonly status: DiffStatus;
  readonly preconditions: {
    readonly base_health_clean: boolean;
    readonly head_health_clean: boolean;
    readonly base_correlation_clean: boolean;
    readonly head_correlation_clean: boolean;
    readonly stable_tool_call_ids_required: boolean;
    readonly stable_tool_call_ids_present: boolean;
  };
  readonly scope: {
    readonly projection: "surface_set";
    readonly uses_raw_telemetry: false;
    readonly uses_proof_pack: false;
    readonly per_binding_capability_values: false;
  };
  readonly surface: Record<SurfaceCategory, SetDiff>;
  readonly binding_ids: SetDiff;
  readonly policy_outcomes: { readonly changed: PolicyOutcomeChange[] };
  readonly unbound: Record<SurfaceCategory, string[]>;
  readonly ambiguities: string[];
  readonly notes: string[];
  /** Ours (issue 15), only when a side's endpoints have names: each side's endpoint → names. */
  readonly network_names?: { readonly base: Record<string, EndpointName[]>; readonly head: Record<string, EndpointName[]> };
}

/** The note a clean diff of identical evidence carries. */
export const IDEMPOTENT_NOTE = "capability_diff_idempotent: base and head evidence sets are identical";

/** Projects the capability diff of two evidence sets, or the first structural problem (spec §2). */
export function projectCapabilityDiff(base: EvidenceSet, head: EvidenceSet): Result<CapabilityDiff> {
  try {
    return ok(project(base, head));
  } catch (error) {
    if (error instanceof Problem) return fail(error.issue);
    throw error;
  }
}

/**
 * Rejects a diff whose policy surface changed for unchanged binding ids without any
 * policy outcome change (upstream `validate_policy_consistency`, run on explicit inputs).
 */
export function checkPolicyConsistency(diff: CapabilityDiff, file: string): Result<CapabilityDiff> {
  const policy = diff.surface.policy_decisions;
  const stableIds = diff.binding_ids.added.length === 0 && diff.binding_ids.removed.length === 0;
  const surfaceChanged = policy.added.length > 0 || policy.removed.length > 0;
  if (stableIds && surfaceChanged && diff.policy_outcomes.changed.length === 0) {
    return fail({
      code: "POLICY_SURFACE_WITHOUT_OUTCOME_CHANGE",
      file,
      path: "policy_outcomes.changed",
      expected: "a changed policy outcome for the changed policy surface",
      received: "[]",
      message: "policy surface changed for stable binding ids without policy_outcomes.changed",
    });
  }
  return ok(diff);
}

/** The prefix of the notes that say why a capability diff is partial. */
export const PARTIAL_NOTE_PREFIX = "capability_diff_partial: ";

/** Decides a diff status by upstream precedence: health before correlation before clean. */
export function diffStatus(healthClean: boolean, correlationClean: boolean, idsPresent: boolean, idsRequired = true): DiffStatus {
  if (!healthClean) return "partial:health";
  if (!(correlationClean && (idsPresent || !idsRequired))) return "partial:correlation";
  return "clean";
}

/** Why a diff of these two evidence sets is partial, one plain sentence per cause (empty when clean); for the human report of either diff. */
export function diffPartialReasons(base: EvidenceSet, head: EvidenceSet): Result<string[]> {
  try {
    return ok(partialReasons(checkSide(base, "base", { checkPolicyDecisionType: false }), checkSide(head, "head", { checkPolicyDecisionType: false })));
  } catch (error) {
    if (error instanceof Problem) return fail(error.issue);
    throw error;
  }
}

// --- internal ---

function project(base: EvidenceSet, head: EvidenceSet): CapabilityDiff {
  const b = checkSide(base, "base", { checkPolicyDecisionType: true });
  const h = checkSide(head, "head", { checkPolicyDecisionType: true });
  const surface = perCategory((category) => diffCategory(b.surface[category], h.surface[category]));
  const bindingIds = diffCategory([...b.bindings.keys()], [...h.bindings.keys()]);
  const [, , shared] = diffSets(b.bindings.keys(), h.bindings.keys());
  const changed: PolicyOutcomeChange[] = [];
  for (const id of shared.sort(compareCodePoints)) {
    const before = b.bindings.get(id) ?? null;
    const after = h.bindings.get(id) ?? null;
    if (before !== after) changed.push({ tool_call_id: id, base: before, head: after });
  }
  const preconditions = diffPreconditions(b, h);
  const status = diffStatus(
    b.healthClean && h.healthClean,
    b.correlationClean && h.correlationClean,
    preconditions.stable_tool_call_ids_present,
    preconditions.stable_tool_call_ids_required,
  );
  const identical =
    status === "clean" &&
    SURFACE_CATEGORIES.every((c) => surface[c].added.length === 0 && surface[c].removed.length === 0) &&
    bindingIds.added.length === 0 &&
    bindingIds.removed.length === 0 &&
    changed.length === 0;
  return {
    schema: CAPABILITY_DIFF_SCHEMA,
    base_run_id: b.runId,
    head_run_id: h.runId,
    status,
    preconditions,
    scope: { projection: "surface_set", uses_raw_telemetry: false, uses_proof_pack: false, per_binding_capability_values: false },
    surface,
    binding_ids: bindingIds,
    policy_outcomes: { changed },
    unbound: emptyUnbound(),
    ambiguities: [],
    // deviation: upstream leaves the notes of a partial diff empty; ours say why it is partial.
    notes: identical ? [IDEMPOTENT_NOTE] : status === "clean" ? [] : partialReasons(b, h).map((reason) => `${PARTIAL_NOTE_PREFIX}${reason}`),
    // Written only when names exist, so diffs of archives without DNS rows keep upstream's bytes.
    ...((base.names?.size ?? 0) + (head.names?.size ?? 0) > 0 ? { network_names: { base: namesRecord(base.names), head: namesRecord(head.names) } } : {}),
  };
}

function namesRecord(names: EndpointNames | undefined): Record<string, EndpointName[]> {
  const out: Record<string, EndpointName[]> = {};
  for (const endpoint of [...(names?.keys() ?? [])].sort(compareCodePoints)) out[endpoint] = [...(names?.get(endpoint) ?? [])];
  return out;
}
