import * as v from "valibot";
import { OBSERVATION_HEALTH_SCHEMA } from "./constants.ts";
import { U64Schema } from "./integers.ts";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import type { Issue } from "./issue.ts";
import { RunIdSchema } from "./run-id.ts";
import { makeIssue, type Where } from "./_to-issues.ts";

/** `kernel_layer` values. */
export const KERNEL_LAYER_STATUSES = ["complete", "partial_ringbuf_drops", "absent"] as const;
/** `capture_origin` values as read; `unsupported` stands for any string upstream does not know. */
export const CAPTURE_ORIGINS = ["own", "third_party", "unsupported"] as const;
/** `policy_layer` values. */
export const POLICY_LAYER_STATUSES = ["present", "absent"] as const;
/** `sdk_layer` values (`present` is vocabulary only; producers write `self_reported`). */
export const SDK_LAYER_STATUSES = ["present", "self_reported", "absent"] as const;
/** `cgroup_correlation` values (`failed` is never written into an archive, spec §1.6). */
export const CGROUP_CORRELATION_STATUSES = ["clean", "partial", "failed"] as const;
/** `network_protocol_coverage` values. */
export const NETWORK_PROTOCOL_COVERAGES = ["unknown", "absent", "connect_only", "datagram_peer_observed", "connect_and_datagram_peer_observed"] as const;
/** `network_endpoint_claim_scope` values (`peer_set` is vocabulary only). */
export const NETWORK_ENDPOINT_CLAIM_SCOPES = ["unknown", "not_applicable", "diagnostic_only", "peer_set"] as const;
/** Redaction modes upstream writes; others read as an unrecognised (never clean) mode. */
export const REDACTION_MODES = ["shape_and_flag", "shape_only", "disabled_unsafe"] as const;
/** Redaction key scopes upstream writes. */
export const REDACTION_KEY_SCOPES = ["host_local", "ephemeral"] as const;

const RedactionEntries = v.object({
  mode: v.string(),
  redacted_count: U64Schema,
  by_rule: v.record(v.string(), U64Schema),
  by_field: v.record(v.string(), U64Schema),
  key_scope: v.string(),
  key_id: v.string(),
});

/**
 * The `redaction` block of observation health (spec §3.4). `mode` and `key_scope` are plain
 * strings upstream, so an unknown value is read, not rejected; consumers treat it as unsupported.
 */
export const RedactionSchema = v.pipe(
  RedactionEntries,
  v.rawCheck<v.InferOutput<typeof RedactionEntries>>(invariants<v.InferOutput<typeof RedactionEntries>>(redactionViolations)),
);

/**
 * The observation-health record as upstream deserializes it, before any rule: legacy records
 * without the network fields read them as `unknown` (not `absent`, spec §5 item 6), an unknown
 * `capture_origin` string reads as `unsupported` (never as `own`), a missing `capture_origin` as
 * `own`, a missing `redaction` stays missing (pre-ADR-034, not "no secrets"). `fidelity` reads
 * with this schema because it must classify records that break the rules below.
 */
export const ObservationHealthRecordSchema = v.object({
  schema: v.string(),
  run_id: v.string(),
  platform: v.string(),
  kernel_layer: v.picklist(KERNEL_LAYER_STATUSES),
  capture_origin: v.optional(
    v.pipe(
      v.string(),
      v.transform((origin): (typeof CAPTURE_ORIGINS)[number] => (origin === "own" || origin === "third_party" ? origin : "unsupported")),
    ),
    "own",
  ),
  ringbuf_drops: U64Schema,
  policy_layer: v.picklist(POLICY_LAYER_STATUSES),
  sdk_layer: v.picklist(SDK_LAYER_STATUSES),
  cgroup_correlation: v.picklist(CGROUP_CORRELATION_STATUSES),
  network_protocol_coverage: v.optional(v.picklist(NETWORK_PROTOCOL_COVERAGES), "unknown"),
  network_endpoint_claim_scope: v.optional(v.picklist(NETWORK_ENDPOINT_CLAIM_SCOPES), "unknown"),
  redaction: v.optional(RedactionSchema),
  notes: v.array(v.string()),
});

const ObservationHealthEntries = v.object({
  ...ObservationHealthRecordSchema.entries,
  schema: v.literal(OBSERVATION_HEALTH_SCHEMA),
  run_id: RunIdSchema,
});

/**
 * `observation-health.json` (`assay.runner.observation_health.v0`, spec §2.8): the record plus
 * the self-consistency rules of upstream `validate()` — exact schema string, safe run id,
 * `ringbuf_drops > 0` ⇒ `partial_ringbuf_drops`, non-Linux ⇒ kernel `absent`. The remaining
 * `validate()` rule, `cgroup_correlation` ≠ `failed`, is a rule for archives, not for the
 * document (a record can honestly say the correlation failed): see `checkHealthForArchive`.
 */
export const ObservationHealthSchema = v.pipe(
  ObservationHealthEntries,
  v.rawCheck<v.InferOutput<typeof ObservationHealthEntries>>(invariants<v.InferOutput<typeof ObservationHealthEntries>>(healthViolations)),
);

/** The `redaction` block. */
export type Redaction = v.InferOutput<typeof RedactionSchema>;
/** An observation-health record as read, rules not applied. */
export type ObservationHealthRecord = v.InferOutput<typeof ObservationHealthRecordSchema>;
/** A valid `observation-health.json`. */
export type ObservationHealth = v.InferOutput<typeof ObservationHealthSchema>;

/** One broken `validate()` rule, named with upstream's rule id (the fidelity reason vocabulary, spec §2.10). */
export interface HealthRuleViolation {
  readonly field: "schema" | "run_id" | "ringbuf_drops" | "kernel_layer" | "cgroup_correlation";
  readonly observed: string;
  readonly rule:
    | "observation_health_schema_must_match_source_schema"
    | "run_id_required_for_fidelity_verdict"
    | "ringbuf_drops_require_partial_kernel_layer"
    | "non_linux_platform_requires_absent_kernel_layer"
    | "failed_cgroup_correlation_blocks_runner_measured_claims";
}

/**
 * Lists the upstream `validate()` rules a record breaks, in upstream's check order (the first
 * one is what upstream reports).
 */
export function checkObservationHealth(record: ObservationHealthRecord): HealthRuleViolation[] {
  const broken: HealthRuleViolation[] = [];
  if (record.schema !== OBSERVATION_HEALTH_SCHEMA) {
    broken.push({ field: "schema", observed: record.schema, rule: "observation_health_schema_must_match_source_schema" });
  }
  if (record.run_id === "") {
    broken.push({ field: "run_id", observed: record.run_id, rule: "run_id_required_for_fidelity_verdict" });
  }
  if (isPositive(record.ringbuf_drops) && record.kernel_layer !== "partial_ringbuf_drops") {
    broken.push({ field: "ringbuf_drops", observed: String(record.ringbuf_drops), rule: "ringbuf_drops_require_partial_kernel_layer" });
  }
  if (record.platform !== "linux" && record.kernel_layer !== "absent") {
    broken.push({ field: "kernel_layer", observed: record.kernel_layer, rule: "non_linux_platform_requires_absent_kernel_layer" });
  }
  if (record.cgroup_correlation === "failed") {
    broken.push({ field: "cgroup_correlation", observed: "failed", rule: "failed_cgroup_correlation_blocks_runner_measured_claims" });
  }
  return broken;
}

/**
 * Lists what keeps a valid health document out of an archive: upstream's writer refuses
 * `cgroup_correlation: "failed"` (spec §1.6), so no runner-written archive carries it. This is
 * an archive rule, not a document rule: `verify` and the archive writer apply it, `validate` and
 * `fidelity` do not.
 */
export function checkHealthForArchive(health: ObservationHealthRecord, where: Where): Issue[] {
  if (health.cgroup_correlation !== "failed") return [];
  return [
    makeIssue(
      where,
      "INVARIANT_VIOLATED",
      "cgroup_correlation",
      '"clean" or "partial"',
      '"failed"',
      'observation_health.v0: cgroup_correlation "failed" is not a passing run; upstream never writes it into an archive',
    ),
  ];
}

// --- internal ---

function isPositive(n: number | bigint): boolean {
  return typeof n === "bigint" ? n > 0n : n > 0;
}

function healthViolations(health: ObservationHealthRecord): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  if (isPositive(health.ringbuf_drops) && health.kernel_layer !== "partial_ringbuf_drops") {
    violations.push({
      path: ["kernel_layer"],
      expected: '"partial_ringbuf_drops"',
      received: shown(health.kernel_layer),
      message: `observation_health.v0: ringbuf_drops ${health.ringbuf_drops} requires kernel_layer "partial_ringbuf_drops", received ${shown(health.kernel_layer)}`,
    });
  }
  if (health.platform !== "linux" && health.kernel_layer !== "absent") {
    violations.push({
      path: ["kernel_layer"],
      expected: '"absent"',
      received: shown(health.kernel_layer),
      message: `observation_health.v0: platform ${shown(health.platform)} has no kernel capture, so kernel_layer must be "absent", received ${shown(health.kernel_layer)}`,
    });
  }
  return violations;
}

function redactionViolations(redaction: v.InferOutput<typeof RedactionEntries>): InvariantViolation[] {
  // Every replacement is tallied once by rule and once by field (spec §3.4), so the three totals agree.
  const violations: InvariantViolation[] = [];
  const total = BigInt(redaction.redacted_count);
  for (const field of ["by_rule", "by_field"] as const) {
    const sum = Object.values(redaction[field]).reduce<bigint>((acc, n) => acc + BigInt(n), 0n);
    if (sum !== total) {
      violations.push({
        path: [field],
        expected: `counts summing to redacted_count ${total}`,
        received: `counts summing to ${sum}`,
        message: `observation_health.v0 redaction: ${field} counts sum to ${sum}, but redacted_count is ${total}; each replacement is counted once per rule and once per field`,
      });
    }
  }
  return violations;
}
