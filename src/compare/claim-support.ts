import { CLAIM_SUPPORT_PARITY_SCHEMA } from "./_schemas.ts";
import { claimGateFor, FIDELITY_VERDICTS, type FidelityVerdictValue, type GateDecision } from "./fidelity-verdict.ts";

/** One row of the claim-support table: a verdict × claim kind and how it is supported. */
export interface ClaimSupportRow {
  readonly verdict: FidelityVerdictValue;
  readonly kind: "positive_existence" | "exhaustive_set" | "bounded_negative";
  readonly support: { readonly support: "decided"; readonly decision: GateDecision } | { readonly support: "not_modelled" };
  readonly scope: "shared" | "health_input_only";
  readonly rule: string;
}

/** The `assay.runner.claim_support_parity.v0` table (archive spec §2.11). */
export interface ClaimSupportTable {
  readonly schema: typeof CLAIM_SUPPORT_PARITY_SCHEMA;
  readonly rows: ClaimSupportRow[];
  readonly non_claims: string[];
}

/** Builds the 15-row claim-support table: verdicts outer (table order), claim kinds inner. */
export function claimSupportTable(): ClaimSupportTable {
  const rows: ClaimSupportRow[] = [];
  for (const verdict of FIDELITY_VERDICTS) {
    const gate = claimGateFor(verdict);
    const scope = verdict === "correlation_partial" ? "health_input_only" : "shared";
    rows.push({
      verdict,
      kind: "positive_existence",
      support: { support: "decided", decision: gate.measured_positive_claims },
      scope,
      rule: "fidelity_verdict_gates_measured_positive_claims",
    });
    rows.push({
      verdict,
      kind: "exhaustive_set",
      support: { support: "not_modelled" },
      scope,
      rule: "fidelity_verdict_has_no_exhaustive_set_field_ask_coverage_descriptor",
    });
    rows.push({
      verdict,
      kind: "bounded_negative",
      support: { support: "decided", decision: gate.bounded_negative_claims },
      scope,
      rule: "fidelity_verdict_gates_bounded_negative_claims",
    });
  }
  return {
    schema: CLAIM_SUPPORT_PARITY_SCHEMA,
    rows,
    non_claims: [
      "parity_no_observer_class_typing",
      "parity_no_blinding_cost_verdict",
      "parity_no_aggregate_claim_score",
      "parity_no_coverage_descriptor_replacement",
    ],
  };
}

/** Orders gate decisions by how much they permit: allowed 2, degraded 1, blocked 0. */
export function permissiveness(decision: GateDecision): number {
  return decision === "allowed" ? 2 : decision === "degraded" ? 1 : 0;
}
