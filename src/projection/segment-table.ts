import { SampledTable } from "./sampled-table.ts";

// The (length, first character) filters of segment keys hold lengths below FILTER_LENGTHS and first
// characters below FILTER_CHARS (ASCII); a key outside them sets a flag under which every segment
// outside them is looked up.
const FILTER_LENGTHS = 64;
const FILTER_CHAR_BITS = 7;
const FILTER_CHARS = 1 << FILTER_CHAR_BITS;
const FILTER_SIZE = FILTER_LENGTHS * FILTER_CHARS;

/**
 * Literal segment runs (`**\/a/b/**`) and literal last segments (`**\/name`): one pass over the
 * path's segments with a (length, first character) filter, so few segments are ever looked up.
 */
export class SegmentTable {
  // Trie over runs: node i has the lowest rule index ending there and a table of next segments.
  private readonly nodeIndex: number[] = [];
  private readonly nodeNext: (SampledTable | undefined)[] = [];
  private readonly roots = new SampledTable();
  private readonly basenames = new SampledTable();
  // Last-segment names and one-segment runs together: what a path's last segment alone decides.
  private readonly leafNames = new SampledTable();
  // The leading segments (joined) of runs of two or more: a directory ending in one may complete a
  // run at its child. Their last segments, probed first, rule out most directories without a substring.
  private readonly continuations = new Set<string>();
  private readonly continuationEnds = new SampledTable();
  private readonly runStarts = new Uint8Array(FILTER_SIZE);
  private readonly lastKeys = new Uint8Array(FILTER_SIZE);
  private readonly leafKeys = new Uint8Array(FILTER_SIZE);
  private runStartOutsideFilter = false;
  private lastNameOutsideFilter = false;
  private leafNameOutsideFilter = false;

  /** Adds a run of segments for rule `index`; the lowest index wins. */
  addRun(segments: readonly string[], index: number): void {
    let table = this.roots;
    let node = -1;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      node = table.valueOf(segment);
      if (node < 0) {
        node = this.nodeIndex.length;
        this.nodeIndex.push(Infinity);
        this.nodeNext.push(undefined);
        table.set(segment, node);
      }
      if (i + 1 < segments.length) table = this.nodeNext[node] ??= new SampledTable();
    }
    if (index < this.nodeIndex[node]!) this.nodeIndex[node] = index;
    this.runStartOutsideFilter = markInFilter(this.runStarts, segments[0]!) || this.runStartOutsideFilter;
    if (segments.length === 1) this.addLeafName(segments[0]!, index);
    else {
      this.continuations.add(segments.slice(0, -1).join("/"));
      this.continuationEnds.set(segments[segments.length - 2]!, 1);
    }
  }

  /** Adds a last-segment name for rule `index`; the lowest index wins. */
  addBasename(name: string, index: number): void {
    const known = this.basenames.valueOf(name);
    if (known < 0 || index < known) this.basenames.set(name, index);
    this.lastNameOutsideFilter = markInFilter(this.lastKeys, name) || this.lastNameOutsideFilter;
    this.addLeafName(name, index);
  }

  /**
   * The lowest rule index (below `best`, else `best`) of a run or last-segment name occurring in
   * the segments of `s[off..]`; `slash` is the last `/` of `s`.
   */
  lowest(s: string, off: number, slash: number, best: number): number {
    best = this.lowestRun(s, off, best);
    const n = s.length;
    const start = Math.max(off, slash + 1);
    if (n > start && (inFilter(this.lastKeys, s, start, n) || (this.lastNameOutsideFilter && outsideFilters(s, start, n)))) {
      const index = this.basenames.get(s, start, n);
      if (index >= 0 && index < best) best = index;
    }
    return best;
  }

  /** The lowest rule index (below `best`, else `best`) of a run occurring in the segments of `s[off..]`. */
  lowestRun(s: string, off: number, best: number): number {
    if (this.roots.size === 0) return best;
    const n = s.length;
    for (let start = off; ; ) {
      let stop = s.indexOf("/", start);
      if (stop < 0) stop = n;
      if (stop > start && (inFilter(this.runStarts, s, start, stop) || (this.runStartOutsideFilter && outsideFilters(s, start, stop)))) {
        best = this.walkRun(s, start, stop, best);
      }
      if (stop === n) return best;
      start = stop + 1;
    }
  }

  /** The lowest rule index of a last-segment name or one-segment run equal to `s[start..]`, or -1. */
  leafIndex(s: string, start: number): number {
    const n = s.length;
    if (n === start || !(inFilter(this.leafKeys, s, start, n) || (this.leafNameOutsideFilter && outsideFilters(s, start, n)))) return -1;
    return this.leafNames.get(s, start, n);
  }

  /** Whether a run of two or more segments may end at a child of `dir` (the run's leading segments end `dir`). */
  mayCompleteBelow(dir: string): boolean {
    const ends = this.continuationEnds;
    const last = dir.lastIndexOf("/") + 1;
    if (ends.size === 0 || !ends.mayStartAt(dir, last) || ends.get(dir, last, dir.length) < 0) return false;
    if (this.continuations.has(dir)) return true;
    for (let j = dir.indexOf("/"); j >= 0; j = dir.indexOf("/", j + 1)) if (this.continuations.has(dir.slice(j + 1))) return true;
    return false;
  }

  private addLeafName(name: string, index: number): void {
    const known = this.leafNames.valueOf(name);
    if (known < 0 || index < known) this.leafNames.set(name, index);
    this.leafNameOutsideFilter = markInFilter(this.leafKeys, name) || this.leafNameOutsideFilter;
  }

  private walkRun(s: string, start: number, stop: number, best: number): number {
    const n = s.length;
    let table: SampledTable | undefined = this.roots;
    while (table) {
      const node = table.get(s, start, stop);
      if (node < 0) break;
      const index = this.nodeIndex[node]!;
      if (index < best) best = index;
      table = this.nodeNext[node];
      if (!table || stop >= n) break;
      start = stop + 1;
      // Most runs stop after their first segment: two characters usually tell, before any search.
      if (!table.mayStartAt(s, start)) break;
      stop = s.indexOf("/", start);
      if (stop < 0) stop = n;
    }
    return best;
  }
}

// --- internal ---

// Marks the (length, first character) of `segment` in a filter; true when it falls outside the filter.
function markInFilter(table: Uint8Array, segment: string): boolean {
  const first = segment.charCodeAt(0);
  if (segment.length >= FILTER_LENGTHS || first >= FILTER_CHARS) return true;
  table[(segment.length << FILTER_CHAR_BITS) | first] = 1;
  return false;
}

// Whether the (length, first character) of `s[start..end)` is marked in a filter.
function inFilter(table: Uint8Array, s: string, start: number, end: number): boolean {
  const length = end - start;
  const first = s.charCodeAt(start);
  return length < FILTER_LENGTHS && first < FILTER_CHARS && table[(length << FILTER_CHAR_BITS) | first] === 1;
}

// Whether `s[start..end)` falls outside the filters (too long, or a first character past ASCII).
function outsideFilters(s: string, start: number, end: number): boolean {
  return end - start >= FILTER_LENGTHS || s.charCodeAt(start) >= FILTER_CHARS;
}
