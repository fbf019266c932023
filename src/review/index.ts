// Public surface of review: baselines from observed runs, `check` against them, and the outputs CI
// reads (SARIF, GitHub step summary and annotations, the HTML report). Pure: values in, text out.
export { ReviewInputError, type ReviewErrorCode, type ReviewErrorPlace } from "./errors.ts";
export { readRunEvidence, writtenPaths, type RunEvidence } from "./run-evidence.ts";
export { PathProjector, projectRun, runCapabilities, type ProjectedRun, type ProjectedPath, type RunCapabilities } from "./project-run.ts";
export { collapsePaths, hasWildcard, READ_COLLAPSE, WRITE_COLLAPSE, type CollapseOptions, type PathPattern } from "./collapse-paths.ts";
export { PatternMatcher, type MatchablePattern } from "./pattern-matcher.ts";
export { buildBaseline, mergeBaseline, emptyBaseline, BaselineBuilder, type BaselineOutcome } from "./build-baseline.ts";
export { renderBaseline } from "./render-baseline.ts";
export { checkRun, healthFinding, fingerprintOf } from "./check-run.ts";
export { renderSarif, RULE_TEXT, type SarifOptions } from "./sarif.ts";
export { renderStepSummary, renderWorkflowCommands } from "./github-surfaces.ts";
export { buildReportModel, type ReportModel, type ReportExec } from "./report-model.ts";
export { renderReportHtml } from "./report-html.ts";
