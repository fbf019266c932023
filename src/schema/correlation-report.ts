import * as v from "valibot";
import { CORRELATION_REPORT_SCHEMA } from "./constants.ts";
import { U64Schema } from "./integers.ts";
import { invariants, type InvariantViolation } from "./_invariant.ts";
import { RunIdSchema } from "./run-id.ts";

/** The correlation `status` values. */
export const CORRELATION_STATUSES = ["clean", "partial", "failed"] as const;

/**
 * One binding of a policy decision to the run (spec §2.7): `policy_decision` is always written
 * (null reads the same as missing, as upstream's serde `Option`), `cgroup_id` only with exactly one
 * policy decision, the window always spans the whole run.
 */
export const CorrelationBindingSchema = v.object({
  tool_call_id: v.pipe(
    v.string(),
    v.check((s) => s.trim() !== "", "expected a non-empty tool_call_id"),
  ),
  policy_decision: v.optional(v.nullable(v.string()), null),
  cgroup_id: v.optional(U64Schema),
  kernel_event_count: U64Schema,
  window: v.object({ start: v.string(), end: v.string() }),
});

const CorrelationReportEntries = v.object({
  schema: v.literal(CORRELATION_REPORT_SCHEMA),
  run_id: RunIdSchema,
  status: v.picklist(CORRELATION_STATUSES),
  bindings: v.array(CorrelationBindingSchema),
  ambiguities: v.array(v.string()),
});

/**
 * `correlation-report.json` (`assay.runner.correlation_report.v0`, spec §2.7). Every ambiguity is
 * added together with a status change away from `clean` (`mark_partial`/`mark_failed`), so a clean
 * report has none and a non-clean report has at least one.
 */
export const CorrelationReportSchema = v.pipe(
  CorrelationReportEntries,
  v.rawCheck<v.InferOutput<typeof CorrelationReportEntries>>(invariants<v.InferOutput<typeof CorrelationReportEntries>>(correlationViolations)),
);

/** One correlation binding. */
export type CorrelationBinding = v.InferOutput<typeof CorrelationBindingSchema>;
/** A parsed `correlation-report.json`. */
export type CorrelationReport = v.InferOutput<typeof CorrelationReportSchema>;

// --- internal ---

function correlationViolations(report: v.InferOutput<typeof CorrelationReportEntries>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  if (report.status === "clean" && report.ambiguities.length > 0) {
    violations.push({
      path: ["status"],
      expected: '"partial" or "failed" (the report lists ambiguities)',
      received: '"clean"',
      message: `correlation_report.v0: status "clean" contradicts ${report.ambiguities.length} ambiguit${report.ambiguities.length === 1 ? "y" : "ies"}; every ambiguity marks the report partial`,
    });
  }
  if (report.status !== "clean" && report.ambiguities.length === 0) {
    violations.push({
      path: ["ambiguities"],
      expected: "at least one ambiguity explaining the status",
      received: "[]",
      message: `correlation_report.v0: status "${report.status}" requires at least one ambiguity saying why`,
    });
  }
  if (report.bindings.length > 1) {
    for (const [i, binding] of report.bindings.entries()) {
      if (binding.cgroup_id === undefined) continue;
      // With several policy decisions the session cgroup cannot be tied to any single one (spec §2.7).
      violations.push({
        path: ["bindings", i, "cgroup_id"],
        expected: "no cgroup_id (more than one binding)",
        received: String(binding.cgroup_id),
        message: `correlation_report.v0: binding ${i} carries cgroup_id, but a session cgroup is bound only when there is exactly one policy decision`,
      });
    }
  }
  return violations;
}
