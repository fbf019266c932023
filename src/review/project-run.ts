import { classifyEndpoint, classifyPath, type CompiledRules } from "../projection/index.ts";
import type { RunEvidence } from "./run-evidence.ts";

/** One projected path of a run: its class and whether the run wrote it. */
export interface ProjectedPath {
  readonly pathClass: string;
  readonly write: boolean;
  /** The raw paths that projected onto it (one unless a declared rule merged several). */
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

  /** The projected value and class of a raw path. */
  path(raw: string): { readonly projected: string; readonly pathClass: string } {
    let hit = this.paths.get(raw);
    if (hit === undefined) {
      const c = classifyPath(raw, this.rules);
      hit = { projected: c.projected_path, pathClass: c.path_class };
      this.paths.set(raw, hit);
    }
    return hit;
  }
}

/** Projects one run's paths and endpoints with the rules; execs stay raw program paths. */
export function projectRun(evidence: RunEvidence, cache: ProjectionCache): ProjectedRun {
  const paths = new Map<string, { pathClass: string; write: boolean; raw: string[] }>();
  for (const raw of evidence.paths) add(paths, raw, cache.path(raw), evidence.writes.has(raw));
  // A write the surface does not list (an older producer) is still a write.
  for (const raw of evidence.writes) if (!paths.has(cache.path(raw).projected)) add(paths, raw, cache.path(raw), true);
  const endpoints = new Map<string, string>();
  for (const endpoint of evidence.endpoints) {
    const c = classifyEndpoint(endpoint, cache.rules);
    endpoints.set(c.projected_endpoint, c.network_class);
  }
  return { evidence, paths, execs: evidence.execs, endpoints };
}

// --- internal ---

function add(paths: Map<string, { pathClass: string; write: boolean; raw: string[] }>, raw: string, c: { readonly projected: string; readonly pathClass: string }, write: boolean): void {
  const seen = paths.get(c.projected);
  if (seen === undefined) paths.set(c.projected, { pathClass: c.pathClass, write, raw: [raw] });
  else {
    if (write) seen.write = true;
    if (!seen.raw.includes(raw)) seen.raw.push(raw);
  }
}
