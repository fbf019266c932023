import { OBSERVATION_HEALTH_SCHEMA, type ObservationHealth, type Redaction } from "../schema/index.ts";

/** The contract-only note upstream writes when the kernel is not captured (§3.4). */
export const CONTRACT_ONLY_NOTE = "contract_only_mode: kernel and cgroup capture not wired in this revision";

/** The kernel-derived part of health when a kernel backend ran (from capture's deriveKernelHealth). */
export interface KernelHealthPart {
  readonly kernel_layer: "complete" | "partial_ringbuf_drops" | "absent";
  readonly ringbuf_drops: number;
  readonly cgroup_correlation: "clean" | "partial";
  readonly network_protocol_coverage: "unknown" | "absent" | "connect_only" | "datagram_peer_observed" | "connect_and_datagram_peer_observed";
  readonly network_endpoint_claim_scope: "unknown" | "not_applicable" | "diagnostic_only";
  /** The `s2_kernel_capture:` note. */
  readonly note: string;
}

/** Health as the runner writes it: `capture_origin` is omitted, which reads as `own` (§2.8). */
export type ObservationHealthDocument = Omit<ObservationHealth, "capture_origin">;

/**
 * Builds observation health (§2.8): contract-only defaults or the kernel part, then the policy and
 * SDK layers with their notes in upstream order, then our own notes after upstream's.
 */
export function buildObservationHealth(input: {
  readonly runId: string;
  readonly platform: string;
  /** Undefined for contract-only runs (no kernel backend). */
  readonly kernel: KernelHealthPart | undefined;
  /** Number of policy events, or undefined without a policy layer. */
  readonly policyEvents: number | undefined;
  /** SDK event and distinct tool-call counts, or undefined without an SDK layer. */
  readonly sdk: { readonly events: number; readonly toolCalls: number } | undefined;
  /** The redaction block (already in upstream field order), or undefined. */
  readonly redaction: Redaction | undefined;
  /** Notes we add (`capture_backend:`, timeouts…), always after upstream's. */
  readonly extraNotes: readonly string[];
}): ObservationHealthDocument {
  const notes: string[] = [input.kernel?.note ?? CONTRACT_ONLY_NOTE];
  if (input.policyEvents !== undefined) notes.push(`s4_policy_capture: decision_events=${input.policyEvents}`);
  if (input.sdk !== undefined) notes.push(`s5_sdk_capture: sdk_events=${input.sdk.events} sdk_tool_calls=${input.sdk.toolCalls}`);
  notes.push(...input.extraNotes);
  return {
    schema: OBSERVATION_HEALTH_SCHEMA,
    run_id: input.runId,
    platform: input.platform,
    // ObservationHealth::new defaults for contract-only runs (§2.8).
    kernel_layer: input.kernel?.kernel_layer ?? "absent",
    ringbuf_drops: input.kernel?.ringbuf_drops ?? 0,
    policy_layer: input.policyEvents !== undefined ? "present" : "absent",
    sdk_layer: input.sdk !== undefined ? "self_reported" : "absent",
    cgroup_correlation: input.kernel?.cgroup_correlation ?? "partial",
    network_protocol_coverage: input.kernel?.network_protocol_coverage ?? "absent",
    network_endpoint_claim_scope: input.kernel?.network_endpoint_claim_scope ?? "not_applicable",
    ...(input.redaction !== undefined ? { redaction: input.redaction } : {}),
    notes,
  };
}
