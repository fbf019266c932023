import * as v from "valibot";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import { toIssues, type Where } from "./_to-issues.ts";
import { fail, ok, type Result } from "./issue.ts";
import { ProjectionRulesSchema } from "./projection-rules.ts";
import { RunIdSchema } from "./run-id.ts";

/** Schema string of a reviewed-allowlist baseline (`assay-runner baseline`). */
export const BASELINE_SCHEMA = "assay.runner.baseline.v0";

/** Schema string of the result of `assay-runner check`. */
export const CHECK_REPORT_SCHEMA = "assay.runner.check_report.v0";

const RunCount = v.pipe(v.number(), v.safeInteger("expected an integer"), v.minValue(1, "expected an integer >= 1"));
const NonEmptyString = v.pipe(v.string(), v.minLength(1, "expected a non-empty string"));
const ManifestDigest = v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 lowercase hex digits'));

/** One run a baseline was built from. */
export const BaselineRunSchema = v.strictObject({ run_id: RunIdSchema, manifest_digest: ManifestDigest });

/**
 * One allowed path: an exact projected path or a glob (`*` one segment, `**` any depth, `?` one
 * character), its class, whether writes are allowed (a write entry also allows reads), and how
 * many runs touched it.
 */
export const BaselinePathSchema = v.strictObject({
  match: v.picklist(["exact", "glob"]),
  pattern: NonEmptyString,
  path_class: NonEmptyString,
  access: v.picklist(["read", "write"]),
  runs: RunCount,
});

/** One allowed program (an exact path or a glob). */
export const BaselineExecSchema = v.strictObject({ match: v.picklist(["exact", "glob"]), pattern: NonEmptyString, runs: RunCount });

/** One allowed endpoint: the projected endpoint (a class name when a rule matched, else the raw `host:port`). */
export const BaselineEndpointSchema = v.strictObject({ endpoint: NonEmptyString, network_class: NonEmptyString, runs: RunCount });

/** One allowed path or network class. */
export const BaselineClassSchema = v.strictObject({ class: NonEmptyString, runs: RunCount });

const BaselineEntries = v.strictObject({
  schema: v.literal(BASELINE_SCHEMA),
  run_count: RunCount,
  runs: v.array(BaselineRunSchema),
  rules: ProjectionRulesSchema,
  path_classes: v.array(BaselineClassSchema),
  paths: v.array(BaselinePathSchema),
  execs: v.array(BaselineExecSchema),
  network_classes: v.array(BaselineClassSchema),
  endpoints: v.array(BaselineEndpointSchema),
});

/**
 * A reviewed allowlist (`assay.runner.baseline.v0`): the union of what N runs did, projected with
 * the embedded rules, each entry counting the runs that saw it. Built by `assay-runner baseline`,
 * reviewed and committed, read by `check` and `report`.
 */
export const BaselineSchema = v.pipe(
  BaselineEntries,
  v.rawCheck<v.InferOutput<typeof BaselineEntries>>(invariants<v.InferOutput<typeof BaselineEntries>>(baselineViolations)),
);

/** A parsed baseline. */
export type Baseline = v.InferOutput<typeof BaselineSchema>;
/** One run of a baseline. */
export type BaselineRun = v.InferOutput<typeof BaselineRunSchema>;
/** One path entry of a baseline. */
export type BaselinePath = v.InferOutput<typeof BaselinePathSchema>;
/** One exec entry of a baseline. */
export type BaselineExec = v.InferOutput<typeof BaselineExecSchema>;
/** One endpoint entry of a baseline. */
export type BaselineEndpoint = v.InferOutput<typeof BaselineEndpointSchema>;
/** One class entry of a baseline. */
export type BaselineClass = v.InferOutput<typeof BaselineClassSchema>;

/** Validates a parsed baseline; issues name the file and the field. */
export function validateBaseline(value: unknown, where: Where): Result<Baseline> {
  const result = v.safeParse(BaselineSchema, value);
  if (result.success) return ok(result.output);
  const [first, ...rest] = toIssues(result.issues, "baseline.v0", where);
  return fail(first!, ...rest);
}

/** The kinds of finding `check` reports, each a stable SARIF rule id. */
export const FINDING_RULES = ["new-exec", "new-write", "new-endpoint", "new-network-class", "new-path-class", "observation-health"] as const;

/** One finding kind. */
export type FindingRule = (typeof FINDING_RULES)[number];

/** One thing a run did outside its baseline (or a health gap that keeps `check` from proving it did not). */
export const FindingSchema = v.strictObject({
  rule: v.picklist(FINDING_RULES),
  level: v.picklist(["error", "warning"]),
  /** The value found: a path, a program, an endpoint, a class, or the health field. */
  subject: v.string(),
  /** Its class, when it has one. */
  class: v.optional(v.string()),
  message: v.string(),
  /** Stable identity of the finding across runs: sha256 of rule and subject. */
  fingerprint: v.string(),
});

/** One finding. */
export type Finding = v.InferOutput<typeof FindingSchema>;

/** The document `check --json` prints (`assay.runner.check_report.v0`). */
export const CheckReportSchema = v.strictObject({
  schema: v.literal(CHECK_REPORT_SCHEMA),
  run_id: v.string(),
  manifest_digest: v.string(),
  baseline_runs: v.number(),
  status: v.picklist(["inside", "outside"]),
  /** Observed counts, so a reader sees how much was compared. */
  counts: v.strictObject({ paths: v.number(), writes: v.number(), execs: v.number(), endpoints: v.number() }),
  findings: v.array(FindingSchema),
});

/** A check result. */
export type CheckReport = v.InferOutput<typeof CheckReportSchema>;

// --- internal ---

function baselineViolations(baseline: v.InferOutput<typeof BaselineEntries>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  if (baseline.runs.length !== baseline.run_count) {
    violations.push({
      path: ["run_count"],
      expected: String(baseline.runs.length),
      received: String(baseline.run_count),
      message: `baseline.v0: run_count ${baseline.run_count} must equal the number of runs listed (${baseline.runs.length})`,
    });
  }
  const lists = [
    ["path_classes", baseline.path_classes.map((e) => e.class)],
    ["paths", baseline.paths.map((e) => `${e.match}\u0000${e.pattern}\u0000${e.access}`)],
    ["execs", baseline.execs.map((e) => `${e.match}\u0000${e.pattern}`)],
    ["network_classes", baseline.network_classes.map((e) => e.class)],
    ["endpoints", baseline.endpoints.map((e) => e.endpoint)],
  ] as const;
  for (const [field, keys] of lists) {
    const seen = new Set<string>();
    keys.forEach((key, index) => {
      if (seen.has(key)) {
        violations.push({
          path: [field, index],
          expected: "no duplicate entries",
          received: shown(key.split("\u0000")[1] ?? key),
          message: `baseline.v0: ${field}[${index}] repeats an earlier entry`,
        });
      }
      seen.add(key);
    });
  }
  for (const field of ["path_classes", "paths", "execs", "network_classes", "endpoints"] as const) {
    const index = baseline[field].findIndex((e) => e.runs > baseline.run_count);
    if (index < 0) continue;
    const runs = baseline[field][index]!.runs;
    violations.push({
      path: [field, index, "runs"],
      expected: `runs <= ${baseline.run_count}`,
      received: String(runs),
      message: `baseline.v0: ${field}[${index}] counts ${runs} runs, more than the ${baseline.run_count} the baseline holds`,
    });
  }
  return violations;
}
