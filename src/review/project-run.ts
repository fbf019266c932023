import { classifyEndpoint, classifyPath, operationOffset, PathClassifier, type CompiledRules } from "../projection/index.ts";
import type { RunEvidence } from "./run-evidence.ts";

/** One projected path of a run: its class and whether the run wrote it. */
export interface ProjectedPath {
  readonly pathClass: string;
  readonly write: boolean;
  /** The first raw paths that projected onto it (a class-valued projection merges thousands; a few show what). */
  readonly raw: readonly string[];
}

/** A run's capabilities in reviewer vocabulary. */
export interface ProjectedRun {
  readonly evidence: RunEvidence;
  /** Projected path → class and write flag. */
  readonly paths: ReadonlyMap<string, ProjectedPath>;
  readonly execs: readonly string[];
  /** Projected endpoint (a class name when a rule matched, else the raw value) → network class. */
  readonly endpoints: ReadonlyMap<string, string>;
}

/**
 * What a baseline takes from a projected run: its identity, health and projected capabilities,
 * without the raw surface (small enough to pass between threads).
 */
export interface RunCapabilities {
  readonly evidence: Pick<RunEvidence, "source" | "runId" | "manifestDigest" | "healthJson">;
  readonly paths: ReadonlyMap<string, ProjectedPath>;
  readonly execs: readonly string[];
  readonly endpoints: ReadonlyMap<string, string>;
}

/** A projected run reduced to what a baseline takes. */
export function runCapabilities(run: ProjectedRun): RunCapabilities {
  const { source, runId, manifestDigest, healthJson } = run.evidence;
  return { evidence: { source, runId, manifestDigest, healthJson }, paths: run.paths, execs: run.execs, endpoints: run.endpoints };
}

/**
 * Projects raw paths with the rules. A run's surface is sorted, so a PathClassifier decides each
 * directory once; that is cheaper than remembering a million paths across runs (measured: the
 * lookups in such a table cost more than classifying again). Declared rules and paths with an
 * operation prefix take the full mapping.
 */
export class PathProjector {
  /** The class of the path `project` was last asked for. */
  pathClass = UNKNOWN;

  constructor(readonly rules: CompiledRules) {}

  /** A classifier for one sorted input. */
  classifier(): PathClassifier {
    return new PathClassifier(this.rules);
  }

  /** The projected value and class of a raw path (`classifier` for a run of sorted paths). */
  path(raw: string, classifier: PathClassifier = new PathClassifier(this.rules)): { readonly projected: string; readonly pathClass: string } {
    const projected = this.project(raw, classifier);
    return { projected, pathClass: this.pathClass };
  }

  /** The projected value of a raw path, its class left in `pathClass` (no object per path: a run may list 100k). */
  project(raw: string, classifier: PathClassifier): string {
    const id = classifier.classify(raw);
    if (id < 0) {
      this.pathClass = UNKNOWN;
      return raw;
    }
    const entry = this.rules.entries[id]!;
    // A heuristic projects onto its class name.
    if (entry.kind === "heuristic" && operationOffset(raw) === 0) {
      this.pathClass = entry.path_class;
      return entry.path_class;
    }
    const c = classifyPath(raw, this.rules);
    this.pathClass = c.path_class;
    return c.projected_path;
  }
}

/** Projects one run's paths and endpoints with the rules; execs stay raw program paths. */
export function projectRun(evidence: RunEvidence, projector: PathProjector): ProjectedRun {
  const paths = new Map<string, { pathClass: string; write: boolean; raw: string[] }>();
  const classifier = projector.classifier();
  const writes = evidence.writes;
  let listedWrites = 0;
  for (const raw of evidence.paths) {
    const write = writes.size > 0 && writes.has(raw);
    if (write) listedWrites++;
    add(paths, raw, projector.project(raw, classifier), projector.pathClass, write);
  }
  // A write the surface does not list (an older producer) is still a write. A listed one is marked
  // already (adding it again changes nothing), and the surface is a set: when every write was
  // listed, there is nothing left to add.
  if (listedWrites < writes.size) {
    const unsorted = projector.classifier();
    for (const raw of writes) add(paths, raw, projector.project(raw, unsorted), projector.pathClass, true);
  }
  const endpoints = new Map<string, string>();
  for (const endpoint of evidence.endpoints) {
    const c = classifyEndpoint(endpoint, projector.rules, evidence.names);
    // An unclassified endpoint with a name is reviewed by its name and port: the addresses behind a name change between runs.
    const key = c.network_class === UNKNOWN && "host" in c && typeof c.host === "string" ? `${c.host}:${portOf(endpoint)}` : c.projected_endpoint;
    endpoints.set(key, c.network_class);
  }
  return { evidence, paths, execs: evidence.execs, endpoints };
}

// --- internal ---

const RAW_SAMPLES = 3;
const UNKNOWN = "unknown";

function portOf(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf(":") + 1);
}

function add(
  paths: Map<string, { pathClass: string; write: boolean; raw: string[] }>,
  raw: string,
  projected: string,
  pathClass: string,
  write: boolean,
): void {
  const seen = paths.get(projected);
  if (seen === undefined) paths.set(projected, { pathClass, write, raw: [raw] });
  else {
    if (write) seen.write = true;
    if (seen.raw.length < RAW_SAMPLES && !seen.raw.includes(raw)) seen.raw.push(raw);
  }
}
