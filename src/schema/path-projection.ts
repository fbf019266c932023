import * as v from "valibot";
import { CountSchema } from "./integers.ts";

/** Schema string of a path projection document (upstream `PATH_PROJECTION_SCHEMA`). */
export const PATH_PROJECTION_SCHEMA = "assay.runner.path_projection.v0";

/** Schema string of the runtime-noise taxonomy the projection documents refer to. */
export const RUNTIME_NOISE_TAXONOMY_SCHEMA = "assay.runner.runtime_noise_taxonomy.v0";

/** Schema string of the streaming projection summary (`--format summary`); ours, not upstream's. */
export const PROJECTION_SUMMARY_SCHEMA = "assay.runner.projection_summary.v0";

/** Upstream's fixed non-claims, in upstream order (spec §1.2). */
export const PROJECTION_NON_CLAIMS = [
  "projection_no_raw_evidence_rewrite",
  "projection_no_semantic_workload_equivalence",
  "projection_no_policy_acceptability_verdict",
  "projection_unknowns_preserved",
  "projection_no_heuristic_noise_taxonomy",
] as const;

/** Non-claims when heuristics were applied: the heuristic non-claim gives way to the roadmap's confidence caveat. */
export const HEURISTIC_PROJECTION_NON_CLAIMS = [
  "projection_no_raw_evidence_rewrite",
  "projection_no_semantic_workload_equivalence",
  "projection_no_policy_acceptability_verdict",
  "projection_unknowns_preserved",
  "projection_confidence_is_not_truth",
] as const;

const ClaimLevel = v.picklist(["projected_equivalent", "inconclusive"]);

/** One mapping row, in upstream field order. */
export const PathMappingSchema = v.object({
  raw_path: v.string(),
  projected_path: v.string(),
  path_class: v.string(),
  relation: v.string(),
  rule: v.string(),
  confidence: v.picklist(["declared", "heuristic"]),
  claim_level: v.literal("projected_equivalent"),
});

/** One mapping row of a path projection. */
export type PathMapping = v.InferOutput<typeof PathMappingSchema>;

/** The unmatched summary: count and the first `sample_limit` unmatched paths in UTF-8 byte order. */
export const UnmatchedPathSummarySchema = v.object({
  path_class: v.literal("unknown"),
  count: CountSchema,
  samples: v.array(v.string()),
  sample_limit: CountSchema,
});

/** The unmatched summary of a path projection. */
export type UnmatchedPathSummary = v.InferOutput<typeof UnmatchedPathSummarySchema>;

/** `assay.runner.path_projection.v0` (upstream Rust helper shape, spec §1.2). */
export const PathProjectionSchema = v.object({
  schema: v.literal(PATH_PROJECTION_SCHEMA),
  status: v.literal("applied"),
  taxonomy_schema: v.literal(RUNTIME_NOISE_TAXONOMY_SCHEMA),
  claim_level: ClaimLevel,
  mappings: v.array(PathMappingSchema),
  rules: v.array(v.string()),
  unmatched_summary: UnmatchedPathSummarySchema,
  non_claims: v.array(v.string()),
});

/** A path projection document. */
export type PathProjection = v.InferOutput<typeof PathProjectionSchema>;

/** Counts of a projected stream of paths (`--format summary`): lines seen, per class, per rule, unmatched. */
export const PathProjectionSummarySchema = v.strictObject({
  schema: v.literal(PROJECTION_SUMMARY_SCHEMA),
  taxonomy_schema: v.literal(RUNTIME_NOISE_TAXONOMY_SCHEMA),
  claim_level: ClaimLevel,
  input_count: CountSchema,
  classes: v.record(v.string(), CountSchema),
  rules: v.record(v.string(), CountSchema),
  unmatched_summary: UnmatchedPathSummarySchema,
  non_claims: v.array(v.string()),
});

/** A projection summary of a path stream. */
export type PathProjectionSummary = v.InferOutput<typeof PathProjectionSummarySchema>;
