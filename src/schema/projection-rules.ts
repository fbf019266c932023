import * as v from "valibot";
import { CountSchema } from "./integers.ts";
import { fail, ok, type Result } from "./issue.ts";
import { toIssues, type Where } from "./_to-issues.ts";

/** Schema string of a projection rules file. */
export const PROJECTION_RULES_SCHEMA = "assay.runner.projection_rules.v0";

/** Path classes of the runtime-noise taxonomy (spec §1.3), in taxonomy order. */
export const PATH_CLASSES = ["workload_fixture", "runtime_package", "provider_sdk", "loader", "experiment_harness", "cache", "unknown"] as const;

/** A path class of the runtime-noise taxonomy. */
export type PathClass = (typeof PATH_CLASSES)[number];

/** Path classes a heuristic may assign (slice 2); `workload_fixture` is declared-only. */
export const HEURISTIC_PATH_CLASSES = ["runtime_package", "provider_sdk", "loader", "experiment_harness", "cache"] as const;

/** A path class a heuristic may assign. */
export type HeuristicPathClass = (typeof HEURISTIC_PATH_CLASSES)[number];

/** Network classes of the runtime-noise taxonomy (domain `network`, spec §1.10). */
export const NETWORK_CLASSES = ["provider_api", "dns", "telemetry", "package_fetch", "provider_sdk", "unknown"] as const;

/** A network class of the runtime-noise taxonomy. */
export type NetworkClass = (typeof NETWORK_CLASSES)[number];

const NonEmptyString = v.pipe(v.string(), v.minLength(1, "Expected a non-empty string"));

/** One declared exact path rule; omitted fields default to upstream `drift.py`'s path alias values. */
export const DeclaredPathRuleSchema = v.strictObject({
  raw_path: NonEmptyString,
  projected_path: NonEmptyString,
  path_class: v.optional(v.picklist(PATH_CLASSES), "workload_fixture"),
  relation: v.optional(NonEmptyString, "declared_path"),
  rule: v.optional(NonEmptyString, "declared_path_alias"),
});

/** A declared exact path rule with every field filled. */
export type DeclaredPathRule = v.InferOutput<typeof DeclaredPathRuleSchema>;

/** One user heuristic: a glob over the path (after any operation prefix) and the class it assigns. */
export const HeuristicGlobSchema = v.strictObject({
  pattern: NonEmptyString,
  class: v.picklist(HEURISTIC_PATH_CLASSES),
  rule: v.optional(NonEmptyString),
});

/** A user heuristic glob. */
export type HeuristicGlob = v.InferOutput<typeof HeuristicGlobSchema>;

/** `"builtin"`, `"none"`, or an ordered list of globs in which `"builtin"` splices in the built-in set. */
export const HeuristicsSchema = v.union([v.literal("builtin"), v.literal("none"), v.array(v.union([v.literal("builtin"), HeuristicGlobSchema]))]);

/** The heuristics setting of a rules file. */
export type Heuristics = v.InferOutput<typeof HeuristicsSchema>;

/** Network aliases (slice 3): exact endpoints, CIDRs (first declared match wins), host-name suffixes. */
export const NetworkRulesSchema = v.strictObject({
  endpoints: v.optional(v.record(NonEmptyString, v.picklist(NETWORK_CLASSES)), {}),
  cidrs: v.optional(v.array(v.strictObject({ cidr: NonEmptyString, class: v.picklist(NETWORK_CLASSES) })), []),
  hosts: v.optional(v.record(NonEmptyString, v.picklist(NETWORK_CLASSES)), {}),
});

/** The network part of a rules file. */
export type NetworkRules = v.InferOutput<typeof NetworkRulesSchema>;

// The schema of a rules file, with `list` checking each list of paths.
const rulesSchema = (list: v.GenericSchema<string[], string[]>) => {
  const paths = v.optional(list, () => []);
  return v.strictObject({
    schema: v.literal(PROJECTION_RULES_SCHEMA),
    workload: v.optional(v.strictObject({ input: paths, output: paths, scratch: paths }), {}),
    workdir_prefixes: paths,
    paths: v.optional(v.array(DeclaredPathRuleSchema), []),
    heuristics: v.optional(HeuristicsSchema, "none"),
    network: v.optional(NetworkRulesSchema, {}),
    sample_limit: v.optional(CountSchema, 5),
  });
};

/** A projection rules file (`assay.runner.projection_rules.v0`); every field but `schema` is optional. */
export const ProjectionRulesSchema = rulesSchema(v.array(NonEmptyString));

// The same file with each list of paths checked in one loop. Item by item, valibot spends ~1 µs per
// path in cold code: most of `project`'s start-up on a 1,000-rule file. A file this schema refuses
// is checked again by the one above, whose issues name the item.
function isNonEmptyStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  // Not `every`: it skips the holes of a sparse array, which the item-by-item schema refuses.
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== "string" || item.length === 0) return false;
  }
  return true;
}
const ValidRulesSchema = rulesSchema(v.custom<string[]>(isNonEmptyStringList));

/** A parsed projection rules file with defaults applied. */
export type ProjectionRules = v.InferOutput<typeof ProjectionRulesSchema>;

/** What a caller may hand to the projection engine: a rules file before defaults are applied. */
export type ProjectionRulesInput = v.InferInput<typeof ProjectionRulesSchema>;

/** Validates a parsed rules file; issues name the file and the field. */
export function validateProjectionRules(value: unknown, where: Where): Result<ProjectionRules> {
  const valid = v.safeParse(ValidRulesSchema, value);
  if (valid.success) return ok(valid.output);
  const result = v.safeParse(ProjectionRulesSchema, value);
  if (result.success) return ok(result.output);
  const [first, ...rest] = toIssues(result.issues, "projection_rules.v0", where);
  return fail(first!, ...rest);
}
