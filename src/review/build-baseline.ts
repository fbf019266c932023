import { compareCodePoints } from "../evidence/index.ts";
import { BASELINE_SCHEMA, type Baseline, type BaselineClass, type BaselinePath, type BaselineRun, type ProjectionRules } from "../schema/index.ts";
import { collapseEach, READ_COLLAPSE, WRITE_COLLAPSE, type PathPattern } from "./collapse-paths.ts";
import { PatternMatcher } from "./pattern-matcher.ts";
import type { RunCapabilities } from "./project-run.ts";

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
export function buildBaseline(rules: ProjectionRules, runs: readonly RunCapabilities[]): BaselineOutcome {
  const builder = new BaselineBuilder(emptyBaseline(rules));
  for (const run of runs) builder.add(run);
  return builder.finish();
}

/**
 * Adds runs (projected with `baseline.rules`) to a baseline without reordering its entries: what
 * an existing entry covers raises its run count; what none covers is collapsed and appended after
 * them, new entries in code-point order. A run already listed (same manifest digest) is skipped.
 */
export function mergeBaseline(baseline: Baseline, runs: readonly RunCapabilities[]): BaselineOutcome {
  const builder = new BaselineBuilder(baseline);
  for (const run of runs) builder.add(run);
  return builder.finish();
}

/** A baseline with no runs yet, for `rules`. */
export function emptyBaseline(rules: ProjectionRules): Baseline {
  return { schema: BASELINE_SCHEMA, run_count: 0, runs: [], rules, path_classes: [], paths: [], execs: [], network_classes: [], endpoints: [] };
}

/**
 * Builds or extends a baseline one run at a time, keeping only what the baseline needs (the
 * distinct values and which runs saw them), so a caller can drop each run after adding it.
 * `finish` gives the same document whatever the order the runs were added in.
 */
export class BaselineBuilder {
  private readonly known: Set<string>;
  private readonly skipped: string[] = [];
  private readonly newRuns: BaselineRun[] = [];
  private readonly pathMatcher: PatternMatcher | undefined;
  private readonly execMatcher: PatternMatcher;
  private readonly pathStamps: Int32Array;
  private readonly pathRuns: number[];
  private readonly execStamps: Int32Array;
  private readonly execRuns: number[];
  private readonly coveredRead = new Map<string, number>();
  private readonly coveredWrite = new Map<string, number>();
  // Paths no existing entry covers: class, written by any run, and the runs (in add order) that saw them.
  private readonly uncovered = new Map<string, { pathClass: string; write: boolean; runs: number[] }>();
  private readonly execs = new Map<string, number>();
  private readonly pathClasses = new Map<string, number>();
  private readonly networkClasses = new Map<string, number>();
  private readonly endpoints = new Map<string, { networkClass: string; runs: number }>();

  constructor(private readonly base: Baseline) {
    this.known = new Set(base.runs.map((r) => r.manifest_digest));
    this.pathMatcher = base.paths.length === 0 ? undefined : new PatternMatcher(base.paths);
    this.execMatcher = new PatternMatcher(base.execs);
    this.pathStamps = new Int32Array(base.paths.length).fill(-1);
    this.pathRuns = base.paths.map(() => 0);
    this.execStamps = new Int32Array(base.execs.length).fill(-1);
    this.execRuns = base.execs.map(() => 0);
  }

  /** Adds one run; a run the baseline already holds (same manifest digest) is skipped. */
  add(run: RunCapabilities): void {
    const digest = run.evidence.manifestDigest;
    if (this.known.has(digest)) {
      this.skipped.push(digest);
      return;
    }
    this.known.add(digest);
    const r = this.newRuns.length;
    this.newRuns.push({ run_id: run.evidence.runId, manifest_digest: digest });
    const classes = new Set<string>();
    for (const [value, p] of run.paths) {
      classes.add(p.pathClass);
      const index = this.covered(value, p.write);
      if (index >= 0) {
        if (this.pathStamps[index] !== r) {
          this.pathStamps[index] = r;
          this.pathRuns[index]!++;
        }
        continue;
      }
      const seen = this.uncovered.get(value);
      if (seen === undefined) this.uncovered.set(value, { pathClass: p.pathClass, write: p.write, runs: [r] });
      else {
        if (p.write) seen.write = true;
        if (seen.runs[seen.runs.length - 1] !== r) seen.runs.push(r);
      }
    }
    for (const c of classes) this.pathClasses.set(c, (this.pathClasses.get(c) ?? 0) + 1);
    for (const exec of new Set(run.execs)) {
      const index = this.execMatcher.find(exec);
      if (index < 0) this.execs.set(exec, (this.execs.get(exec) ?? 0) + 1);
      else if (this.execStamps[index] !== r) {
        this.execStamps[index] = r;
        this.execRuns[index]!++;
      }
    }
    for (const c of new Set(run.endpoints.values())) this.networkClasses.set(c, (this.networkClasses.get(c) ?? 0) + 1);
    for (const [endpoint, networkClass] of run.endpoints) {
      const seen = this.endpoints.get(endpoint);
      if (seen === undefined) this.endpoints.set(endpoint, { networkClass, runs: 1 });
      else seen.runs++;
    }
  }

  /** The baseline with every added run. */
  finish(): BaselineOutcome {
    const base = this.base;
    const newRuns = [...this.newRuns].sort((a, b) => compareCodePoints(a.run_id, b.run_id) || compareCodePoints(a.manifest_digest, b.manifest_digest));
    const execsKept = base.execs.map((e, i) => ({ ...e, runs: e.runs + this.execRuns[i]! }));
    const execsAdded = sortedEntries(this.execs).map(([pattern, runs]) => ({ match: "exact" as const, pattern, runs }));
    const endpointsKept = base.endpoints.map((e) => ({ ...e, runs: e.runs + (this.endpoints.get(e.endpoint)?.runs ?? 0) }));
    const listed = new Set(base.endpoints.map((e) => e.endpoint));
    const endpointsAdded = sortedEntries(this.endpoints)
      .filter(([e]) => !listed.has(e))
      .map(([endpoint, c]) => ({ endpoint, network_class: c.networkClass, runs: c.runs }));
    return {
      skipped: [...this.skipped].sort(compareCodePoints),
      baseline: {
        schema: BASELINE_SCHEMA,
        run_count: base.run_count + newRuns.length,
        runs: [...base.runs, ...newRuns],
        rules: base.rules,
        path_classes: mergeClasses(base.path_classes, this.pathClasses),
        paths: [...base.paths.map((e, i) => ({ ...e, runs: e.runs + this.pathRuns[i]! })), ...this.freshPaths()],
        execs: [...execsKept, ...execsAdded],
        network_classes: mergeClasses(base.network_classes, this.networkClasses),
        endpoints: [...endpointsKept, ...endpointsAdded],
      },
    };
  }

  // The existing entry covering a projected value for reads or writes, or -1 (cached per value).
  private covered(value: string, write: boolean): number {
    if (this.pathMatcher === undefined) return -1;
    const cache = write ? this.coveredWrite : this.coveredRead;
    let index = cache.get(value);
    if (index === undefined) cache.set(value, (index = this.pathMatcher.find(value, write)));
    return index;
  }

  // What no existing entry covers: grouped per access and class, collapsed, one entry per pattern
  // counting the distinct runs of its members.
  private freshPaths(): BaselinePath[] {
    // Per class, the read and the written values with what the builder knows of each.
    const groups = new Map<string, [Group, Group]>();
    for (const [value, u] of this.uncovered) {
      let pair = groups.get(u.pathClass);
      if (pair === undefined)
        groups.set(
          u.pathClass,
          (pair = [
            { values: [], seen: [] },
            { values: [], seen: [] },
          ]),
        );
      const group = pair[u.write ? 1 : 0];
      group.values.push(value);
      group.seen.push(u);
    }
    const stamps = new Int32Array(this.newRuns.length).fill(-1);
    const fresh: BaselinePath[] = [];
    for (const [pathClass, pair] of groups) {
      for (const access of ["read", "write"] as const) {
        const { values, seen } = pair[access === "write" ? 1 : 0];
        if (values.length === 0) continue;
        const members = new Map<PathPattern, number[]>();
        const patterns = collapseEach(values, access === "write" ? WRITE_COLLAPSE : READ_COLLAPSE);
        for (let i = 0; i < patterns.length; i++) {
          let list = members.get(patterns[i]!);
          if (list === undefined) members.set(patterns[i]!, (list = []));
          list.push(i);
        }
        for (const [pattern, positions] of members) {
          const id = fresh.length;
          let runs = 0;
          for (const i of positions) {
            for (const r of seen[i]!.runs) {
              if (stamps[r] !== id) {
                stamps[r] = id;
                runs++;
              }
            }
          }
          fresh.push({ match: pattern.match, pattern: pattern.pattern, path_class: pathClass, access, runs });
        }
      }
    }
    return fresh.sort(
      (a, b) =>
        compareCodePoints(a.pattern, b.pattern) ||
        compareCodePoints(a.access, b.access) ||
        compareCodePoints(a.path_class, b.path_class) ||
        compareCodePoints(a.match, b.match),
    );
  }
}

// --- internal ---

// Values no existing entry covers, of one class and access, beside what the builder knows of each.
interface Group {
  readonly values: string[];
  readonly seen: { readonly runs: readonly number[] }[];
}

function sortedEntries<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => compareCodePoints(a, b));
}

function mergeClasses(existing: readonly BaselineClass[], counts: ReadonlyMap<string, number>): BaselineClass[] {
  const kept = existing.map((e) => ({ class: e.class, runs: e.runs + (counts.get(e.class) ?? 0) }));
  const listed = new Set(existing.map((e) => e.class));
  const added = sortedEntries(counts).filter(([c]) => !listed.has(c));
  return [...kept, ...added.map(([c, runs]) => ({ class: c, runs }))];
}
