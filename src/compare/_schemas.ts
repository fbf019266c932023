// Schema strings the comparators read (from the schema module) and write (comparator outputs).

export {
  CAPABILITY_SURFACE_SCHEMA,
  CORRELATION_REPORT_SCHEMA,
  NETWORK_PROJECTION_SCHEMA,
  OBSERVATION_HEALTH_SCHEMA,
  PATH_PROJECTION_SCHEMA,
  RUNTIME_NOISE_TAXONOMY_SCHEMA,
  SDK_EVENT_SCHEMA,
} from "../schema/index.ts";

export const CAPABILITY_DIFF_SCHEMA = "assay.runner.capability_diff.v0";
export const CROSS_RUNTIME_DIFF_SCHEMA = "assay.runner.cross_runtime_diff.v0";
export const RUNTIME_DRIFT_SCHEMA = "assay.runner.runtime_drift.v0.2";
export const DRIFT_REPORT_PROVENANCE_SCHEMA = "assay.runner.drift_report_provenance.v0";
export const PROJECTION_NOT_APPLIED_SCHEMA = "assay.runner.projection_not_applied.v0";
export const FIDELITY_VERDICT_SCHEMA = "assay.runner.fidelity_verdict.v0";
export const COVERAGE_DESCRIPTOR_SCHEMA = "assay.runner.coverage_descriptor.v0";
export const CLAIM_SUPPORT_PARITY_SCHEMA = "assay.runner.claim_support_parity.v0";
export const COVERAGE_ANNOTATION_SCHEMA = "assay.coverage_aware_drift.annotation.v0";
export const CLAIM_CELL_SCHEMA = "assay.observability.claim_class_cell.v0";
