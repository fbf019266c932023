export { renderPythonJson, pythonJsonString, type PythonJsonOptions } from "./python-json.ts";
export { CompareInputError, DriftArchiveError, DriftConfigError, AnnotationInputError, type CompareErrorCode } from "./errors.ts";
export {
  SURFACE_CATEGORIES,
  isHealthClean,
  isCorrelationClean,
  endpointNamesOfKernel,
  type EvidenceSet,
  type SetDiff,
  type SurfaceCategory,
} from "./evidence-set.ts";
export {
  projectCapabilityDiff,
  checkPolicyConsistency,
  diffPartialReasons,
  IDEMPOTENT_NOTE,
  PARTIAL_NOTE_PREFIX,
  type CapabilityDiff,
  type DiffStatus,
  type PolicyOutcomeChange,
} from "./capability-diff.ts";
export {
  projectCrossRuntimeDiff,
  canonicalizeWorkPath,
  checkWorkDirPrefix,
  parseSdkMetadata,
  WORK_PLACEHOLDER,
  type CrossRuntimeConfig,
} from "./cross-runtime-diff.ts";
export { validateCrossRuntimeDiff, KNOWN_RUNTIMES, type CrossRuntimeDiff, type SdkMetadata } from "./cross-runtime-diff-schema.ts";
export { observeArchive, kernelFileOperations, type ArchiveObservation, type MemberBytes } from "./drift-observation.ts";
export { openSide, type OpenedSide } from "./open-side.ts";
export {
  parseDriftProjectionRules,
  DEFAULT_PROVIDER_HOSTS,
  type DriftProjectionRules,
  type PathAlias,
  type NetworkAlias,
  type NetworkCidrAlias,
} from "./drift-config.ts";
export {
  projectPathValue,
  projectNetworkEndpoint,
  endpointHost,
  pathProjectionBlock,
  networkProjectionBlock,
  PROJECTION_NON_CLAIMS,
  PROJECTION_SAMPLE_LIMIT,
} from "./drift-projection.ts";
export {
  buildDriftReport,
  driftRows,
  matchesProviderHost,
  type DriftReport,
  type DriftRow,
  type DriftOptions,
  type DriftProvenance,
  type DriftClassification,
} from "./drift-report.ts";
export { renderDriftMarkdown, MARKDOWN_CELL_ITEMS } from "./drift-markdown.ts";
export { TAXONOMY_CATEGORIES, taxonomyBlock } from "./taxonomy.ts";
export {
  fidelityVerdict,
  claimGateFor,
  FIDELITY_VERDICTS,
  type FidelityVerdict,
  type FidelityVerdictValue,
  type ClaimGate,
  type GateDecision,
} from "./fidelity-verdict.ts";
export {
  SEED_DESCRIPTORS,
  coverageDecision,
  claimDecisionForEffect,
  networkDescriptorFor,
  supportsCompleteClaims,
  type CoverageDescriptor,
  type CoverageClaimKind,
  type CoverageDecision,
} from "./coverage-descriptor.ts";
export { claimSupportTable, permissiveness, type ClaimSupportTable, type ClaimSupportRow } from "./claim-support.ts";
export {
  annotateDriftReport,
  coverageAnnotationForReport,
  parseClaimAssertion,
  evaluateClaims,
  type CoverageAnnotation,
  type ClaimAssertion,
  type ClaimAssertionResult,
} from "./coverage-annotation.ts";
