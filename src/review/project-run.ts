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

/** Remembers classifications across runs: most paths recur in every run of a workload. */
export class ProjectionCache {
  private readonly paths = new Map<string, { readonly projected: string; readonly pathClass: string }>();
  constructor(readonly rules: CompiledRules) {}

  /**
   * The projected value and class of a raw path. `classifier`, when given, classifies a run of
   * sorted paths (one per input), deciding each directory once.
   */
  path(raw: string, classifier?: PathClassifier): { readonly projected: string; readonly pathClass: string } {
    let hit = this.paths.get(raw);
    if (hit === undefined) {
      hit = this.classify(raw, classifier);
      this.paths.set(raw, hit);
    }
    return hit;
  }

  private classify(raw: string, classifier: PathClassifier | undefined): { readonly projected: string; readonly pathClass: string } {
    if (classifier !== undefined) {
      const id = classifier.classify(raw);
      if (id < 0) return { projected: raw, pathClass: UNKNOWN };
      const entry = this.rules.entries[id]!;
      // A heuristic projects onto its class name; declared rules and operation prefixes take the full mapping.
      if (entry.kind === "heuristic" && operationOffset(raw) === 0) return { projected: entry.path_class, pathClass: entry.path_class };
    }
    const c = classifyPath(raw, this.rules);
    return { projected: c.projected_path, pathClass: c.path_class };
  }
}

/** Projects one run's paths and endpoints with the rules; execs stay raw program paths. */
export function projectRun(evidence: RunEvidence, cache: ProjectionCache): ProjectedRun {
  const paths = new Map<string, { pathClass: string; write: boolean; raw: string[] }>();
  const classifier = new PathClassifier(cache.rules);
  const writes = evidence.writes;
  for (const raw of evidence.paths) add(paths, raw, cache.path(raw, classifier), writes.size > 0 && writes.has(raw));
  // A write the surface does not list (an older producer) is still a write.
  for (const raw of writes) {
    const c = cache.path(raw);
    if (!paths.has(c.projected)) add(paths, raw, c, true);
  }
  const endpoints = new Map<string, string>();
  for (const endpoint of evidence.endpoints) {
    const c = classifyEndpoint(endpoint, cache.rules);
    endpoints.set(c.projected_endpoint, c.network_class);
  }
  return { evidence, paths, execs: evidence.execs, endpoints };
}

// --- internal ---

const RAW_SAMPLES = 3;
const UNKNOWN = "unknown";

function add(paths: Map<string, { pathClass: string; write: boolean; raw: string[] }>, raw: string, c: { readonly projected: string; readonly pathClass: string }, write: boolean): void {
  const seen = paths.get(c.projected);
  if (seen === undefined) paths.set(c.projected, { pathClass: c.pathClass, write, raw: [raw] });
  else {
    if (write) seen.write = true;
    if (seen.raw.length < RAW_SAMPLES && !seen.raw.includes(raw)) seen.raw.push(raw);
  }
}
