import { compareCodePoints } from "../evidence/index.ts";
import {
  BASELINE_SCHEMA,
  type Baseline,
  type BaselineClass,
  type BaselineEndpoint,
  type BaselineExec,
  type BaselinePath,
  type BaselineRun,
  type ProjectionRules,
} from "../schema/index.ts";
import { collapsePaths, READ_COLLAPSE, WRITE_COLLAPSE, type PathPattern } from "./collapse-paths.ts";
import { PatternMatcher } from "./pattern-matcher.ts";
import type { ProjectedRun } from "./project-run.ts";

/** A baseline built or extended, and the runs left out because it already held them. */
export interface BaselineOutcome {
  readonly baseline: Baseline;
  /** Manifest digests of runs already in the baseline (not counted twice). */
  readonly skipped: readonly string[];
}

/**
 * Builds a baseline from runs projected with `rules`: the union of their path classes, paths
 * (unknown and raw paths collapsed into globs), programs, network classes and endpoints, each
 * entry counting the runs that saw it. Entries are in code-point order and runs sorted, so the
 * same runs in any order give the same document.
 */
export function buildBaseline(rules: ProjectionRules, runs: readonly ProjectedRun[]): BaselineOutcome {
  const empty: Baseline = { schema: BASELINE_SCHEMA, run_count: 0, runs: [], rules, path_classes: [], paths: [], execs: [], network_classes: [], endpoints: [] };
  return mergeBaseline(empty, runs);
}

/**
 * Adds runs (projected with `baseline.rules`) to a baseline without reordering its entries: what
 * an existing entry covers raises its run count; what none covers is collapsed and appended after
 * them, new entries in code-point order. A run already listed (same manifest digest) is skipped.
 */
export function mergeBaseline(baseline: Baseline, runs: readonly ProjectedRun[]): BaselineOutcome {
  const known = new Set(baseline.runs.map((r) => r.manifest_digest));
  const skipped: string[] = [];
  const fresh: ProjectedRun[] = [];
  for (const run of [...runs].sort(byRun)) {
    const digest = run.evidence.manifestDigest;
    if (known.has(digest)) skipped.push(digest);
    else {
      known.add(digest);
      fresh.push(run);
    }
  }
  const newRuns: BaselineRun[] = fresh.map((r) => ({ run_id: r.evidence.runId, manifest_digest: r.evidence.manifestDigest }));
  return {
    skipped,
    baseline: {
      schema: BASELINE_SCHEMA,
      run_count: baseline.run_count + fresh.length,
      runs: [...baseline.runs, ...newRuns],
      rules: baseline.rules,
      path_classes: mergeClasses(baseline.path_classes, fresh.map((r) => new Set([...r.paths.values()].map((p) => p.pathClass)))),
      paths: mergePaths(baseline.paths, fresh),
      execs: mergeExecs(baseline.execs, fresh),
      network_classes: mergeClasses(baseline.network_classes, fresh.map((r) => new Set(r.endpoints.values()))),
      endpoints: mergeEndpoints(baseline.endpoints, fresh),
    },
  };
}

// --- internal ---

function byRun(a: ProjectedRun, b: ProjectedRun): number {
  return compareCodePoints(a.evidence.runId, b.evidence.runId) || compareCodePoints(a.evidence.manifestDigest, b.evidence.manifestDigest);
}

function mergeClasses(existing: readonly BaselineClass[], perRun: readonly ReadonlySet<string>[]): BaselineClass[] {
  const counts = new Map<string, number>();
  for (const classes of perRun) for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
  const kept = existing.map((e) => ({ class: e.class, runs: e.runs + (counts.get(e.class) ?? 0) }));
  const listed = new Set(existing.map((e) => e.class));
  const added = [...counts].filter(([c]) => !listed.has(c)).sort(([a], [b]) => compareCodePoints(a, b));
  return [...kept, ...added.map(([c, runs]) => ({ class: c, runs }))];
}

function mergeEndpoints(existing: readonly BaselineEndpoint[], runs: readonly ProjectedRun[]): BaselineEndpoint[] {
  const counts = new Map<string, { networkClass: string; runs: number }>();
  for (const run of runs) {
    for (const [endpoint, networkClass] of run.endpoints) {
      const seen = counts.get(endpoint);
      if (seen === undefined) counts.set(endpoint, { networkClass, runs: 1 });
      else seen.runs++;
    }
  }
  const kept = existing.map((e) => ({ ...e, runs: e.runs + (counts.get(e.endpoint)?.runs ?? 0) }));
  const listed = new Set(existing.map((e) => e.endpoint));
  const added = [...counts].filter(([e]) => !listed.has(e)).sort(([a], [b]) => compareCodePoints(a, b));
  return [...kept, ...added.map(([endpoint, c]) => ({ endpoint, network_class: c.networkClass, runs: c.runs }))];
}

function mergeExecs(existing: readonly BaselineExec[], runs: readonly ProjectedRun[]): BaselineExec[] {
  const matcher = new PatternMatcher(existing);
  const extra = existing.map(() => 0);
  const added = new Map<string, number>();
  for (const run of runs) {
    const hit = new Set<number>();
    for (const exec of new Set(run.execs)) {
      const index = matcher.find(exec);
      if (index >= 0) hit.add(index);
      else added.set(exec, (added.get(exec) ?? 0) + 1);
    }
    for (const index of hit) extra[index]!++;
  }
  const kept = existing.map((e, i) => ({ ...e, runs: e.runs + extra[i]! }));
  const fresh = [...added].sort(([a], [b]) => compareCodePoints(a, b)).map(([pattern, runs]) => ({ match: "exact" as const, pattern, runs }));
  return [...kept, ...fresh];
}

// Paths: existing entries first (in their order), then what none covers, collapsed per class and access.
function mergePaths(existing: readonly BaselinePath[], runs: readonly ProjectedRun[]): BaselinePath[] {
  const matcher = new PatternMatcher(existing);
  const extra = existing.map(() => 0);
  // Uncovered projected paths: class, and whether any run wrote them.
  const uncovered = new Map<string, { pathClass: string; write: boolean }>();
  const coveredBy = new Map<string, number>();
  const covered = (value: string, write: boolean): number => {
    const key = write ? `w${value}` : `r${value}`;
    let index = coveredBy.get(key);
    if (index === undefined) coveredBy.set(key, (index = matcher.find(value, write)));
    return index;
  };
  for (const run of runs) {
    for (const [value, p] of run.paths) {
      if (covered(value, p.write) >= 0) continue;
      const seen = uncovered.get(value);
      if (seen === undefined) uncovered.set(value, { pathClass: p.pathClass, write: p.write });
      else if (p.write) seen.write = true;
    }
  }
  // Group per class and access, collapse each group, then one entry per distinct pattern.
  const groups = new Map<string, string[]>();
  for (const [value, u] of uncovered) {
    const key = `${u.write ? "write" : "read"}\u0000${u.pathClass}`;
    let list = groups.get(key);
    if (list === undefined) groups.set(key, (list = []));
    list.push(value);
  }
  const patternOf = new Map<string, { readonly pattern: PathPattern; readonly key: string }>();
  const fresh = new Map<string, BaselinePath & { runs: number }>();
  for (const [group, values] of groups) {
    const [access, pathClass] = group.split("\u0000") as ["read" | "write", string];
    for (const [value, pattern] of collapsePaths(values, access === "write" ? WRITE_COLLAPSE : READ_COLLAPSE)) {
      const key = `${pattern.match}\u0000${pattern.pattern}\u0000${access}\u0000${pathClass}`;
      patternOf.set(value, { pattern, key });
      if (!fresh.has(key)) fresh.set(key, { match: pattern.match, pattern: pattern.pattern, path_class: pathClass, access, runs: 0 });
    }
  }
  for (const run of runs) {
    const hit = new Set<number>();
    const hitFresh = new Set<string>();
    for (const [value, p] of run.paths) {
      const index = covered(value, p.write);
      if (index >= 0) hit.add(index);
      else hitFresh.add(patternOf.get(value)!.key);
    }
    for (const index of hit) extra[index]!++;
    for (const key of hitFresh) fresh.get(key)!.runs++;
  }
  const kept = existing.map((e, i) => ({ ...e, runs: e.runs + extra[i]! }));
  const added = [...fresh.values()].sort((a, b) => compareCodePoints(a.pattern, b.pattern) || compareCodePoints(a.access, b.access) || compareCodePoints(a.path_class, b.path_class) || compareCodePoints(a.match, b.match));
  return [...kept, ...added];
}
