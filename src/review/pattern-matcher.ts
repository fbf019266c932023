import { globToRegExp } from "../projection/index.ts";
import { hasWildcard } from "./collapse-paths.ts";

/** One pattern a matcher knows: exact or glob, and whether it allows writes. */
export interface MatchablePattern {
  readonly match: "exact" | "glob";
  readonly pattern: string;
  /** Path entries: `write` also allows reads. Other lists leave it out. */
  readonly access?: "read" | "write";
}

/**
 * Finds the first baseline entry (in list order) that covers a value. The shapes `collapsePaths`
 * writes (`DIR/*`, `DIR/**`) and exact values are hash lookups along the value's directories;
 * any other glob a reviewer writes falls back to a regular expression.
 */
export class PatternMatcher {
  private readonly exact = new Map<string, Firsts>();
  private readonly star = new Map<string, Firsts>();
  private readonly deep = new Map<string, Firsts>();
  private readonly other: { readonly regex: RegExp; readonly index: number; readonly write: boolean }[] = [];

  constructor(patterns: readonly MatchablePattern[]) {
    patterns.forEach((p, index) => {
      const write = p.access === undefined || p.access === "write";
      if (p.match === "exact") return note(this.exact, p.pattern, index, write);
      if (p.pattern.endsWith("/**") && !hasWildcard(p.pattern.slice(0, -3)) && p.pattern.length > 3)
        return note(this.deep, p.pattern.slice(0, -3), index, write);
      if (p.pattern.endsWith("/*") && !hasWildcard(p.pattern.slice(0, -2)) && p.pattern.length > 2)
        return note(this.star, p.pattern.slice(0, -2), index, write);
      this.other.push({ regex: globToRegExp(p.pattern), index, write });
    });
  }

  /** Index of the first pattern covering `value` (one allowing writes when `write`), or -1. */
  find(value: string, write = false): number {
    let best = pick(this.exact.get(value), write, -1);
    const slash = value.lastIndexOf("/");
    if (slash > 0 && this.star.size > 0) best = pick(this.star.get(value.slice(0, slash)), write, best);
    if (this.deep.size > 0) {
      // `DIR/**` covers DIR itself and everything below it.
      best = pick(this.deep.get(value), write, best);
      for (let i = value.indexOf("/", 1); i > 0; i = value.indexOf("/", i + 1)) best = pick(this.deep.get(value.slice(0, i)), write, best);
    }
    for (const o of this.other) {
      if ((best >= 0 && o.index > best) || (write && !o.write)) continue;
      if (o.regex.test(value)) best = o.index;
    }
    return best;
  }
}

// --- internal ---

// The first entry of one key, and the first of it that allows writes.
interface Firsts {
  any: number;
  write: number;
}

function note(map: Map<string, Firsts>, key: string, index: number, write: boolean): void {
  let firsts = map.get(key);
  if (firsts === undefined) map.set(key, (firsts = { any: index, write: -1 }));
  if (write && firsts.write < 0) firsts.write = index;
}

function pick(firsts: Firsts | undefined, write: boolean, best: number): number {
  if (firsts === undefined) return best;
  const index = write ? firsts.write : firsts.any;
  return index >= 0 && (best < 0 || index < best) ? index : best;
}
