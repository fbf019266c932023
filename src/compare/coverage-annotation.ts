import * as v from "valibot";
import { isObject } from "./_problem.ts";
import { CLAIM_CELL_SCHEMA, COVERAGE_ANNOTATION_SCHEMA, RUNTIME_DRIFT_SCHEMA } from "./_schemas.ts";
import { blindSpotSummary, networkDescriptorFor, SEED_DESCRIPTORS, supportsCompleteClaims, type CoverageDescriptor } from "./coverage-descriptor.ts";
import { AnnotationInputError, DriftConfigError } from "./errors.ts";
import { fidelityVerdict } from "./fidelity-verdict.ts";

/** An `assay.coverage_aware_drift.annotation.v0` sidecar. */
export interface CoverageAnnotation {
  readonly schema: typeof COVERAGE_ANNOTATION_SCHEMA;
  readonly source_report_schema: typeof RUNTIME_DRIFT_SCHEMA;
  readonly claim_cells: Record<string, unknown>[];
  readonly blocked_claims: Record<string, unknown>[];
  readonly classification_caveats: Record<string, unknown>[];
}

/** The health of each arm, when the comparator read one (drift's own annotation uses it). */
export interface ArmHealth {
  readonly a: unknown;
  readonly b: unknown;
}

/** One asserted coverage claim, `TYPE:DIMENSION`. */
export interface ClaimAssertion {
  readonly type: "positive" | "exhaustive" | "bounded_negative";
  readonly dimension: string;
}

/** The outcome of one asserted claim. */
export interface ClaimAssertionResult {
  readonly claim: string;
  readonly permitted: boolean;
  readonly detail: string;
}

/**
 * Annotates a drift report from the report alone, as upstream's sample `annotate_drift.py` does:
 * positive strength capped at `partial` because the report carries no per-arm health (spec §3.5).
 * Render with sorted keys to match the sample's bytes.
 */
export function annotateDriftReport(report: unknown): CoverageAnnotation {
  const rows = checkReport(report);
  return annotate(
    rows,
    (dimension, effect, descriptor) => ({
      type: `measured_${dimension}_drift`,
      strength: "partial",
      note: "positive strength capped at partial: the drift report does not surface per-arm observation health; consult fidelity_verdict.v0 against the source archives to raise this to strong",
      role: "joined_artifacts",
      effect,
      descriptor,
    }),
    () => SAMPLE_DESCRIPTORS,
    SAMPLE_BLOCK_SUFFIX,
  );
}

/**
 * Annotates a drift report with both arms' health, as the comparator's `--coverage-annotation-out`:
 * positive strength from the two fidelity verdicts, network completeness from both arms' coverage.
 */
export function coverageAnnotationForReport(report: unknown, health: ArmHealth): CoverageAnnotation {
  const rows = checkReport(report);
  const verdicts = [health.a, health.b].map((h) => (h === undefined ? undefined : fidelityVerdict(h).verdict));
  const descriptors = (): Readonly<Record<Effect, CoverageDescriptor>> => ({
    filesystem: SEED_DESCRIPTORS.filesystem_open_syscall_only,
    network: networkDescriptor(health),
    process: SEED_DESCRIPTORS.process_exec_only,
  });
  return annotate(
    rows,
    (dimension, effect, descriptor) => {
      const shown = verdicts.map((v) => v ?? "missing").join(", ");
      if (verdicts.every((v) => v === "clean")) {
        return {
          type: `measured_${dimension}_drift`,
          strength: "strong",
          note: `both arms have a clean fidelity_verdict.v0 (${shown}); positive ${effect} drift is measured`,
          role: "joined_artifacts",
          effect,
          descriptor,
        };
      }
      if (verdicts.some((v) => v === "not_applicable" || v === "failed")) {
        return {
          type: `measured_${dimension}_drift`,
          strength: "absent",
          note: `fidelity_verdict.v0 of the arms (${shown}) provides no measured ${effect} surface`,
          role: "none",
          effect,
          descriptor,
        };
      }
      return {
        type: `measured_${dimension}_drift`,
        strength: "partial",
        note: `fidelity_verdict.v0 of the arms (${shown}) caps positive ${effect} strength at partial`,
        role: "joined_artifacts",
        effect,
        descriptor,
      };
    },
    descriptors,
    "",
  );
}

/** Parses `--assert-claim TYPE:DIMENSION`; a malformed spec or unknown TYPE is a configuration error (exit 2). */
export function parseClaimAssertion(spec: string): ClaimAssertion {
  const colon = spec.indexOf(":");
  if (colon < 0) throw new DriftConfigError("--assert-claim", `claim must be TYPE:DIMENSION, got "${spec}"`);
  const type = spec.slice(0, colon).trim();
  const dimension = spec.slice(colon + 1).trim();
  if (type !== "positive" && type !== "exhaustive" && type !== "bounded_negative") {
    throw new DriftConfigError("--assert-claim", `claim TYPE must be one of positive, exhaustive, bounded_negative; got "${type}"`);
  }
  if (dimension.length === 0) throw new DriftConfigError("--assert-claim", `claim must have a non-empty dimension, got "${spec}"`);
  return { type, dimension };
}

/** Decides asserted claims against an annotation: positive needs strong/partial, exhaustive needs partial, bounded-negative a measured, unblocked dimension. */
export function evaluateClaims(annotation: CoverageAnnotation, assertions: readonly ClaimAssertion[]): ClaimAssertionResult[] {
  const cells = new Map(annotation.claim_cells.map((cell) => [String(cell.claim_type), cell]));
  const blocked = new Set(annotation.blocked_claims.map((b) => String(b.requested_claim)));
  return assertions.map(({ type, dimension }) => {
    const claim = `${type}:${dimension}`;
    if (type === "positive") {
      const cell = cells.get(`measured_${dimension}_drift`);
      if (cell === undefined) return { claim, permitted: false, detail: `no measured_${dimension}_drift cell (nothing observed)` };
      const strength = String(cell.claim_strength);
      return { claim, permitted: strength === "strong" || strength === "partial", detail: `measured positive is ${strength}` };
    }
    if (type === "exhaustive") {
      const cell = cells.get(`exhaustive_${dimension}_equality`);
      if (cell === undefined) return { claim, permitted: false, detail: `no exhaustive_${dimension}_equality cell` };
      const strength = String(cell.claim_strength);
      return strength === "partial"
        ? { claim, permitted: true, detail: "exhaustive equality allowed (partial)" }
        : { claim, permitted: false, detail: `exhaustive equality is ${strength} (degraded by coverage)` };
    }
    if (!(dimension in MEASURED)) return { claim, permitted: false, detail: `bounded-negative not evaluable for non-measured dimension "${dimension}"` };
    if (blocked.has(`no_${dimension}_effect_beyond_observed`)) return { claim, permitted: false, detail: "bounded-negative blocked by coverage descriptor" };
    return { claim, permitted: true, detail: "bounded-negative not blocked" };
  });
}

// --- internal ---

type Effect = "filesystem" | "network" | "process";

interface PositiveCell {
  readonly type: string;
  readonly strength: string;
  readonly note: string;
  readonly role: string;
  readonly effect: Effect;
  readonly descriptor: CoverageDescriptor;
}

const MEASURED: Readonly<Record<string, Effect>> = {
  filesystem_paths_touched: "filesystem",
  kernel_file_operations: "filesystem",
  network_endpoints: "network",
  process_execs: "process",
};
const REPORTED = new Set(["sdk_tool_events", "tool_invocation_order", "mcp_tool_surface"]);

const SAMPLE_DESCRIPTORS: Readonly<Record<Effect, CoverageDescriptor>> = {
  filesystem: SEED_DESCRIPTORS.filesystem_open_syscall_only,
  network: SEED_DESCRIPTORS.network_connect_only,
  process: SEED_DESCRIPTORS.process_exec_only,
};
const SAMPLE_BLOCK_SUFFIX = "; the drift report does not surface per-arm observation health";
const EVIDENCE = "runtime-drift-report.json";

// What the annotator needs of a drift report: its schema and its rows (rows of other shapes are skipped).
const DriftReportInputSchema = v.looseObject({ schema: v.literal(RUNTIME_DRIFT_SCHEMA), rows: v.array(v.unknown()) });

function checkReport(report: unknown): Record<string, unknown>[] {
  const parsed = v.safeParse(DriftReportInputSchema, report, { abortEarly: true });
  if (parsed.success) return parsed.output.rows.filter(isObject);
  if (isObject(report) && parsed.issues[0].path?.[0]?.key === "rows") throw new AnnotationInputError("report: rows array is required");
  const schema = isObject(report) ? report.schema : undefined;
  throw new AnnotationInputError(`expected ${RUNTIME_DRIFT_SCHEMA} report; got ${JSON.stringify(schema) ?? "none"}`);
}

function annotate(
  rows: readonly Record<string, unknown>[],
  positive: (dimension: string, effect: Effect, descriptor: CoverageDescriptor) => PositiveCell,
  descriptorsOf: () => Readonly<Record<Effect, CoverageDescriptor>>,
  blockSuffix: string,
): CoverageAnnotation {
  const descriptors = descriptorsOf();
  const claimCells: Record<string, unknown>[] = [];
  const blockedClaims: Record<string, unknown>[] = [];
  const caveats: Record<string, unknown>[] = [];
  for (const row of rows) {
    const dimension = String(row.dimension);
    const observed = [row.only_in_a, row.only_in_b, row.in_both].some((list) => Array.isArray(list) && list.length > 0);
    if (REPORTED.has(dimension)) {
      // SDK/trace events are reported, not measured kernel effects: no coverage ceiling applies.
      if (observed) claimCells.push(reportedCell(dimension));
      continue;
    }
    const effect = MEASURED[dimension];
    if (effect === undefined) continue;
    const descriptor = descriptors[effect];
    const spots = blindSpotSummary(descriptor);
    if (observed) claimCells.push(...measuredCells(dimension, effect, descriptor, positive(dimension, effect, descriptor)));
    blockedClaims.push({
      claim_type: "bounded_negative_claim",
      requested_claim: `no_${dimension}_effect_beyond_observed`,
      decision: "blocked",
      reason: `${effect} absence-beyond-observed claim requires completeness=full with no blind spots and confirmed clean capture; completeness is ${descriptor.completeness}; blind spots: ${spots}${blockSuffix}`,
    });
    if (row.classification === "task-induced") {
      caveats.push({
        dimension,
        classification: "task-induced",
        caveat: `full overlap of the observed surface; this is not proof the ${effect} effect sets are exhaustively equal, because ${effect} coverage is ${descriptor.completeness}`,
      });
    }
  }
  return {
    schema: COVERAGE_ANNOTATION_SCHEMA,
    source_report_schema: RUNTIME_DRIFT_SCHEMA,
    claim_cells: claimCells,
    blocked_claims: blockedClaims,
    classification_caveats: caveats,
  };
}

const GATE_RULE = "coverage_descriptor.v0 + fidelity_verdict.v0";

function reportedCell(dimension: string): Record<string, unknown> {
  return cell(
    `reported_${dimension}`,
    "joined_artifacts",
    "partial",
    "reported",
    [EVIDENCE],
    ["SDK/trace-reported drift surface; not a measured kernel effect, so no coverage ceiling is applied"],
    ["does_not_prove_measured_effect", "does_not_prove_complete_set"],
  );
}

// A measured dimension with observed drift: its positive cell, then the exhaustive-equality cell the coverage gate allows.
function measuredCells(dimension: string, effect: Effect, descriptor: CoverageDescriptor, p: PositiveCell): Record<string, unknown>[] {
  const measured = cell(
    p.type,
    p.role,
    p.strength,
    "measured",
    p.role === "none" ? [] : [EVIDENCE],
    [p.note],
    ["does_not_prove_tool_intent", "does_not_prove_complete_set"],
  );
  const exhaustive = supportsCompleteClaims(descriptor)
    ? cell(
        `exhaustive_${dimension}_equality`,
        "joined_artifacts",
        "partial",
        "derived",
        [EVIDENCE],
        [
          `derived by ${GATE_RULE}: completeness is full with no declared blind spots, so exhaustive ${effect} equality is allowed; capped at partial because the drift report does not surface per-arm health`,
        ],
        ["strong_only_within_cgroup_scope"],
      )
    : cell(
        `exhaustive_${dimension}_equality`,
        "joined_artifacts",
        "weak",
        "derived",
        [EVIDENCE],
        [
          `derived by ${GATE_RULE}: exhaustive ${effect} equality requires completeness=full with no blind spots; completeness is ${descriptor.completeness}; blind spots: ${blindSpotSummary(descriptor)}`,
        ],
        [`does_not_prove_complete_${effect}_set`],
      );
  return [measured, exhaustive];
}

function cell(claimType: string, role: string, strength: string, basis: string, refs: string[], notes: string[], nonClaims: string[]): Record<string, unknown> {
  return {
    schema: CLAIM_CELL_SCHEMA,
    claim_type: claimType,
    artifact_role: role,
    claim_strength: strength,
    claim_basis: basis,
    evidence_refs: refs,
    notes,
    non_claims: nonClaims,
  };
}

function networkDescriptor(health: ArmHealth): CoverageDescriptor {
  const coverage = [health.a, health.b].map((h) => (isObject(h) ? h.network_protocol_coverage : undefined));
  const datagram = ["datagram_peer_observed", "connect_and_datagram_peer_observed"];
  if (coverage.every((c) => c === "connect_and_datagram_peer_observed")) return SEED_DESCRIPTORS.network_connect_and_datagram_peer_observed;
  if (coverage.every((c) => typeof c === "string" && datagram.includes(c))) return SEED_DESCRIPTORS.network_datagram_peer_observed;
  // A missing health, an unknown or absent coverage, or any connect-only arm keeps the connect-only ceiling.
  return networkDescriptorFor("connect_only") ?? SEED_DESCRIPTORS.network_connect_only;
}
