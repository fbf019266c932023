// Private to projection: the lookup structures the compiled rules are made of. Each answers in
// time bounded by the path's length and depth, never by the number of rules.

const BLOOM_BITS = 18;

/** A string → value map over a slice `s[off..]`, with a bit filter so most misses never build the slice. */
export class ExactTable {
  readonly map = new Map<string, number>();
  private readonly bloom = new Uint32Array(1 << (BLOOM_BITS - 5));

  /** Sets a key (a later set replaces the value). */
  set(key: string, value: number): void {
    this.map.set(key, value);
    const bit = bloomIndex(key, 0, key.length);
    this.bloom[bit >>> 5]! |= 1 << (bit & 31);
  }

  /** Sets a key unless present; the first value stays. */
  setFirst(key: string, value: number): void {
    if (!this.map.has(key)) this.set(key, value);
  }

  /** The value for `s[off..]`, or -1. */
  get(s: string, off: number): number {
    if (this.map.size === 0) return -1;
    const bit = bloomIndex(s, off, s.length);
    if ((this.bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const value = this.map.get(off === 0 ? s : s.slice(off));
    return value === undefined ? -1 : value;
  }
}

/**
 * Prefixes matched on a `/` boundary (`path == p` or `path` starts with `p + "/"`): probes the
 * path's own `/` positions from the longest candidate down, filtered by declared prefix lengths.
 */
export class BoundaryPrefixTable {
  readonly map = new Map<string, number>();
  private readonly bloom = new Uint32Array(1 << (BLOOM_BITS - 5));
  private lengths = new Uint8Array(0);
  private minLength = Number.MAX_SAFE_INTEGER;
  private maxLength = 0;

  /** Sets a prefix (a later set replaces the value). */
  set(prefix: string, value: number): void {
    this.map.set(prefix, value);
    const bit = bloomIndex(prefix, 0, prefix.length);
    this.bloom[bit >>> 5]! |= 1 << (bit & 31);
    const n = prefix.length;
    if (n >= this.lengths.length) {
      const grown = new Uint8Array(Math.max(n + 1, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[n] = 1;
    if (n < this.minLength) this.minLength = n;
    if (n > this.maxLength) this.maxLength = n;
  }

  /** The value of the longest prefix of `s[off..]` on a `/` boundary, or -1. */
  longest(s: string, off: number): number {
    if (this.map.size === 0) return -1;
    const n = s.length;
    const lengths = this.lengths;
    const min = this.minLength;
    // Whole suffix equal to a prefix.
    const whole = n - off;
    if (whole <= this.maxLength && lengths[whole] === 1) {
      const value = this.probe(s, off, n);
      if (value >= 0) return value;
    }
    // Then each `/` inside the suffix, right to left, only where a declared prefix could end.
    let j = s.lastIndexOf("/", Math.min(n - 1, off + this.maxLength));
    while (j - off >= min) {
      if (lengths[j - off] === 1) {
        const value = this.probe(s, off, j);
        if (value >= 0) return value;
      }
      j = s.lastIndexOf("/", j - 1);
    }
    return -1;
  }

  /** Calls `visit(prefix, value)` for every entry. */
  forEach(visit: (prefix: string, value: number) => void): void {
    for (const [prefix, value] of this.map) visit(prefix, value);
  }

  private probe(s: string, off: number, end: number): number {
    const bit = bloomIndex(s, off, end);
    if ((this.bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const value = this.map.get(off === 0 && end === s.length ? s : s.slice(off, end));
    return value === undefined ? -1 : value;
  }
}

/** A node of the segment trie: the lowest rule index ending here and the segments that may follow. */
export interface SegmentNode {
  index: number;
  next: Map<string, SegmentNode> | undefined;
}

/**
 * Literal segment runs (`**\/a/b/**`) and literal last segments (`**\/name`): one pass over the
 * path's segments, with a (length, first character) filter so few segments are ever looked up.
 */
export class SegmentTable {
  readonly runs = new Map<string, SegmentNode>();
  readonly basenames = new Map<string, number>();
  private readonly runStarts = new Uint8Array(64 * 128);
  private readonly basenameKeys = new Uint8Array(64 * 128);
  private wideRuns = false;
  private wideBasenames = false;

  /** Adds a run of segments for rule `index`; the lowest index wins. */
  addRun(segments: readonly string[], index: number): void {
    let map = this.runs;
    let node: SegmentNode | undefined;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      node = map.get(segment);
      if (!node) {
        node = { index: Infinity, next: undefined };
        map.set(segment, node);
      }
      if (i + 1 < segments.length) map = node.next ??= new Map();
    }
    if (node && index < node.index) node.index = index;
    const first = segments[0]!;
    const key = filterKey(first, 0, first.length);
    if (key < 0) this.wideRuns = true;
    else this.runStarts[key] = 1;
  }

  /** Adds a last-segment name for rule `index`; the lowest index wins. */
  addBasename(name: string, index: number): void {
    const known = this.basenames.get(name);
    if (known === undefined || index < known) this.basenames.set(name, index);
    const key = filterKey(name, 0, name.length);
    if (key < 0) this.wideBasenames = true;
    else this.basenameKeys[key] = 1;
  }

  /** Whether there is nothing to look for. */
  get isEmpty(): boolean {
    return this.runs.size === 0 && this.basenames.size === 0;
  }

  /** The lowest rule index whose run or last segment occurs in `s[off..]` and is below `best`, else `best`. */
  lowest(s: string, off: number, best: number): number {
    const n = s.length;
    const hasRuns = this.runs.size > 0;
    let start = off;
    for (;;) {
      let end = s.indexOf("/", start);
      const last = end < 0;
      if (last) end = n;
      if (hasRuns && end > start) {
        const key = filterKey(s, start, end);
        if (key < 0 ? this.wideRuns : this.runStarts[key] === 1) best = this.walkRun(s, start, end, best);
      }
      if (last) {
        if (this.basenames.size > 0 && end > start) {
          const key = filterKey(s, start, end);
          if (key < 0 ? this.wideBasenames : this.basenameKeys[key] === 1) {
            const index = this.basenames.get(s.slice(start, end));
            if (index !== undefined && index < best) best = index;
          }
        }
        return best;
      }
      start = end + 1;
    }
  }

  private walkRun(s: string, start: number, end: number, best: number): number {
    const n = s.length;
    let node = this.runs.get(s.slice(start, end));
    while (node) {
      if (node.index < best) best = node.index;
      if (!node.next || end >= n) break;
      start = end + 1;
      end = s.indexOf("/", start);
      if (end < 0) end = n;
      node = node.next.get(s.slice(start, end));
    }
    return best;
  }
}

// --- internal ---

function bloomIndex(s: string, off: number, end: number): number {
  const length = end - off;
  const last = length > 0 ? s.charCodeAt(end - 1) : 0;
  const middle = length > 0 ? s.charCodeAt(off + (length >> 1)) : 0;
  return (Math.imul(length, 0x9e3779b1) ^ Math.imul(last, 0x85ebca6b) ^ Math.imul(middle, 0xc2b2ae35)) >>> (32 - BLOOM_BITS);
}

function filterKey(s: string, start: number, end: number): number {
  const length = end - start;
  const first = s.charCodeAt(start);
  if (length >= 64 || first >= 128) return -1;
  return (length << 7) | first;
}
