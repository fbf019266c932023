// Public surface of the projection engine: declared (slice 1), heuristic (slice 2) and network
// (slice 3) projection. Pure: values in, values out; only the line input of `project`
// (projectLinePaths, summarizeLinePaths, streamLineRecords, tallyLinePart) reads the file it is
// named, or the stream it is handed, and a worker the caller starts. Typical use:
//   const compiled = compileRules(rulesJson);            // Result<CompiledRules>
//   const doc = projectPaths(paths, compiled.value);     // assay.runner.path_projection.v0
//   const net = projectEndpoints(endpoints, compiled.value);
export {
  compileRules,
  compileRulesOrThrow,
  normalizePrefix,
  resolveHeuristics,
  HEURISTIC_RELATION,
  type CompiledRules,
  type RuleEntry,
  type ResolvedHeuristic,
} from "./compile-rules.ts";
export { parseRules } from "./parse-rules.ts";
export {
  classifyPath,
  classifyPathId,
  UNMATCHED_RELATION,
  UNMATCHED_RULE,
  type PathClassification,
} from "./classify-path.ts";
export { PathClassifier, classifyPathIds } from "./path-classifier.ts";
export { projectPaths, projectedPaths, nonClaims } from "./project-paths.ts";
export { PathTally, tallySummary, type TallyCounts } from "./path-tally.ts";
export { ByteClassifier, type ByteClassifierOptions, type NdjsonSink, type TallySink } from "./byte-classifier.ts";
export { LineTally } from "./line-tally.ts";
export { projectLineBytes } from "./project-line-bytes.ts";
export { projectLinePaths, summarizeLinePaths, streamLineRecords, type LineSource, type LineInputOptions, type RecordSink } from "./project-lines.ts";
export { projectSurface, writeSurfaceRecords, type SurfaceOptions } from "./project-surface.ts";
export { tallyLinePart, type TallyRequest, type TallyReply } from "./tally-line-part.ts";
export { SampleKeeper } from "./sample-keeper.ts";
export { classifyEndpoint, projectEndpoints, type EndpointClassification } from "./project-endpoints.ts";
export {
  compileNetworkRules,
  matchEndpoint,
  matchNamedEndpoint,
  endpointHost,
  type EndpointMatch,
  type NamedEndpointMatch,
  type CompiledNetworkRules,
} from "./network-rules.ts";
export { parseIpAddress, parseIpNetwork, networkContains, formatIpNetwork, type IpAddress, type IpNetwork } from "./ip-address.ts";
export { OPERATIONS, operationOffset, type Operation } from "./operation-split.ts";
export { BUILTIN_HEURISTICS, type BuiltinHeuristic } from "./builtin-heuristics.ts";
export { globToRegExp, globShape, type GlobShape } from "./glob.ts";
// The code-point order lives in schema; re-exported under projection's names.
export { compareCodePoints, sortUnique as sortUniqueCodePoints, isStrictlyAscending } from "../schema/index.ts";
export { ProjectionInputError, type ProjectionErrorCode } from "./errors.ts";
