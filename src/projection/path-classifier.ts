import { classifyPathId, classifyPathIdAt } from "./classify-path.ts";
import type { CompiledRules, HeuristicTables } from "./compile-rules.ts";
import { operationOffset } from "./operation-split.ts";

/**
 * Classifies the paths of one input (answers equal `classifyPathId`'s), deciding a directory once
 * for a run of paths in it: a path's verdict is its directory's (declared prefix, heuristic prefixes
 * and runs) unless its last segment adds one (a last-segment glob, or a rule naming a child of the
 * directory). Sorted inputs (surfaces, sorted files) come in such runs; other paths take the
 * per-path lookups, which touch only the small rule tables (a memo of all directories was tried:
 * its random accesses into a large table cost more than the lookups it saves).
 */
export class PathClassifier {
  private readonly heuristics: HeuristicTables | undefined;
  private previous = "";
  private previousOff = 0;
  private previousSlash = -1;
  // The directory decided last, and its verdict.
  private dir: string | undefined;
  private declared = UNDECIDED;
  private heuristic = NONE;
  private regexes: Regexes | undefined;
  private reused = 0;

  constructor(private readonly compiled: CompiledRules) {
    this.heuristics = compiled.heuristicTables;
  }

  /** How many paths so far were answered from their directory's verdict (the rest took the full lookups). */
  get reusedDirectories(): number {
    return this.reused;
  }

  /** The id of the rule that projects `raw`, or -1 (the value `classifyPathId` returns). */
  classify(raw: string): number {
    // Without heuristics a path costs a few table probes already: nothing to save per directory.
    if (this.heuristics === undefined) return classifyPathId(raw, this.compiled);
    const off = operationOffset(raw);
    const slash = raw.lastIndexOf("/");
    const dir = this.dir;
    if (dir !== undefined && slash - off === dir.length && raw.startsWith(dir, off)) return this.inDecided(raw, off, slash);
    if (slash >= off && this.sameDirectoryAsPrevious(raw, off, slash)) {
      this.decide(raw.slice(off, slash));
      return this.inDecided(raw, off, slash);
    }
    this.previous = raw;
    this.previousOff = off;
    this.previousSlash = slash;
    return classifyPathIdAt(raw, off, this.compiled, slash);
  }

  private sameDirectoryAsPrevious(raw: string, off: number, slash: number): boolean {
    const previous = this.previous;
    const start = this.previousOff;
    const end = this.previousSlash;
    const length = slash - off;
    // The last characters usually tell a different directory, before any substring is made.
    if (end - start !== length || end < start) return false;
    if (length > 0 && raw.charCodeAt(slash - 1) !== previous.charCodeAt(end - 1)) return false;
    return raw.startsWith(previous.slice(start, end), off);
  }

  private inDecided(raw: string, off: number, slash: number): number {
    const declared = this.declared;
    if (declared === LEAF_DECIDES) return classifyPathIdAt(raw, off, this.compiled, slash);
    this.reused++;
    if (declared !== UNDECIDED) return declared;
    const heuristics = this.heuristics!;
    let best = this.heuristic;
    const leaf = heuristics.segments.leafIndex(raw, slash + 1);
    if (leaf >= 0 && leaf < best) best = leaf;
    const regexes = this.regexes;
    if (regexes !== undefined) {
      const suffix = off === 0 ? raw : raw.slice(off);
      for (const candidate of regexes) {
        if (candidate.index >= best) break;
        if (candidate.regex.test(suffix)) {
          best = candidate.index;
          break;
        }
      }
    }
    return best === NONE ? -1 : heuristics.entryBase + best;
  }

  // What directory `dir` decides for the paths directly inside it.
  private decide(dir: string): void {
    const compiled = this.compiled;
    const heuristics = this.heuristics!;
    this.dir = dir;
    this.regexes = undefined;
    this.heuristic = NONE;
    if (compiled.leafRuleDirs.has(dir) || heuristics.segments.mayCompleteBelow(dir)) {
      this.declared = LEAF_DECIDES;
      return;
    }
    // A child `dir/leaf` starts with `p/` exactly when `dir` is `p` or starts with `p/`.
    this.declared = compiled.prefixes.longest(dir, 0);
    let best = heuristics.prefixes.longest(dir, 0);
    if (best < 0) best = NONE;
    best = heuristics.segments.lowestRun(dir, 0, best);
    this.heuristic = best;
    // Globs kept as regular expressions are tested per path, but only those whose literal head a
    // child of `dir` can start with.
    if (heuristics.regexes.length === 0 || !mayStartBelow(dir, heuristics.regexHead)) return;
    const candidates = heuristics.regexes.filter((r) => r.index < best && mayStartBelow(dir, r.head));
    if (candidates.length > 0) this.regexes = candidates;
  }
}

/** Classifies many paths into `out` (rule id per path, -1 unmatched); the classification core, no document. */
export function classifyPathIds(paths: readonly string[], compiled: CompiledRules, out: Int32Array = new Int32Array(paths.length)): Int32Array {
  const classifier = new PathClassifier(compiled);
  for (let i = 0; i < paths.length; i++) out[i] = classifier.classify(paths[i]!);
  return out;
}

// --- internal ---

// Values of `declared` besides a rule id: nothing declared, or the last segment decides (full classification).
const UNDECIDED = -1;
const LEAF_DECIDES = -2;
const NONE = 0x7fffffff;

type Regexes = HeuristicTables["regexes"];

// Whether a path `dir/leaf` can start with `head`.
function mayStartBelow(dir: string, head: string): boolean {
  const n = dir.length;
  if (head.length <= n) return dir.startsWith(head);
  return head.startsWith(dir) && head.charCodeAt(n) === 47;
}
