import * as v from "valibot";
import { CountSchema } from "./integers.ts";
import { PathProjectionSchema, PathProjectionSummarySchema, RUNTIME_NOISE_TAXONOMY_SCHEMA } from "./path-projection.ts";

/** Schema string of a network projection document. */
export const NETWORK_PROJECTION_SCHEMA = "assay.runner.network_projection.v0";

/** One endpoint mapping row. */
export const NetworkMappingSchema = v.object({
  raw_endpoint: v.string(),
  projected_endpoint: v.string(),
  network_class: v.string(),
  relation: v.picklist(["declared_endpoint", "declared_cidr", "declared_host_suffix"]),
  rule: v.picklist(["declared_network_alias", "declared_network_cidr_alias", "declared_network_host_alias"]),
  confidence: v.literal("declared"),
  claim_level: v.literal("projected_equivalent"),
  // Ours (issue 15): the endpoint's name and how it was named; written only when it has one.
  host: v.optional(v.string()),
  host_source: v.optional(v.picklist(["resolved", "declared"])),
});

/** One endpoint mapping row of a network projection. */
export type NetworkMapping = v.InferOutput<typeof NetworkMappingSchema>;

/** The unmatched endpoints: count and the first `sample_limit` in UTF-8 byte order. */
export const UnmatchedEndpointSummarySchema = v.object({
  network_class: v.literal("unknown"),
  count: CountSchema,
  samples: v.array(v.string()),
  sample_limit: CountSchema,
});

/** `assay.runner.network_projection.v0`: applied (aliases declared) or not applied (none declared, as in `drift.py`). */
export const NetworkProjectionSchema = v.variant("status", [
  v.object({
    schema: v.literal(NETWORK_PROJECTION_SCHEMA),
    status: v.literal("applied"),
    taxonomy_schema: v.literal(RUNTIME_NOISE_TAXONOMY_SCHEMA),
    claim_level: v.picklist(["projected_equivalent", "inconclusive"]),
    mappings: v.array(NetworkMappingSchema),
    rules: v.array(v.string()),
    unmatched_summary: UnmatchedEndpointSummarySchema,
    non_claims: v.array(v.string()),
  }),
  v.object({
    schema: v.literal(NETWORK_PROJECTION_SCHEMA),
    status: v.literal("not_applied"),
    reason: v.literal("no network aliases declared"),
    taxonomy_schema: v.literal(RUNTIME_NOISE_TAXONOMY_SCHEMA),
    non_claims: v.array(v.string()),
  }),
]);

/** A network projection document. */
export type NetworkProjection = v.InferOutput<typeof NetworkProjectionSchema>;

/** Schema string of the projection of a capability surface (paths and endpoints together); ours. */
export const PROJECTION_REPORT_SCHEMA = "assay.runner.projection_report.v0";

/** Both projections of one capability surface: the path part as a document (json) or a summary (summary). */
export const ProjectionReportSchema = v.strictObject({
  schema: v.literal(PROJECTION_REPORT_SCHEMA),
  source: v.string(),
  run_id: v.string(),
  path_projection: v.union([PathProjectionSchema, PathProjectionSummarySchema]),
  network_projection: NetworkProjectionSchema,
});

/** A projection report of one capability surface. */
export type ProjectionReport = v.InferOutput<typeof ProjectionReportSchema>;
