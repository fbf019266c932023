// Private to projection: the lookup structures compiled rules are made of. Each answers in time
// bounded by the path's length and depth, never by the number of rules, and none hashes or copies
// the path: keys are bucketed by a few sampled characters and confirmed in place with `startsWith`
// (hashing a fresh substring costs as much as the rest of the classification together).

const FEW_LENGTHS = 12;
const MAX_CHAIN = 4;
const BLOOM_BITS = 18;
const SLASH = 47;

/** A string → value table probed on a slice `s[off..end)` without building the slice. */
export class SampledTable {
  private readonly keys: string[] = [];
  private readonly values: number[] = [];
  private readonly chain: number[] = [];
  private heads = new Int32Array(1024).fill(-1);
  private chainLength = new Uint8Array(1024);
  private crowded = new Uint8Array(1024);
  private readonly fallback = new Map<string, number>();
  private readonly bloom = new Uint32Array(1 << (BLOOM_BITS - 5));

  /** How many keys the table holds. */
  get size(): number {
    return this.keys.length;
  }

  /** Sets a key (a later set replaces the value). */
  set(key: string, value: number): void {
    const found = this.find(key, 0, key.length);
    if (found >= 0) this.values[found] = value;
    else this.insert(key, value);
  }

  /** Sets a key unless present; the first value stays. */
  setFirst(key: string, value: number): void {
    if (this.find(key, 0, key.length) < 0) this.insert(key, value);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.find(key, 0, key.length) >= 0;
  }

  /** The value for `s[off..end)`, or -1. */
  get(s: string, off: number, end: number): number {
    if (this.keys.length === 0) return -1;
    // Three characters and the length reject most misses before the fuller sample is taken.
    const bit = quick(s, off, end);
    if ((this.bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const found = this.find(s, off, end);
    return found < 0 ? -1 : this.values[found]!;
  }

  /** Calls `visit(key, value)` for every entry, in insertion order. */
  forEach(visit: (key: string, value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) visit(this.keys[i]!, this.values[i]!);
  }

  private find(s: string, off: number, end: number): number {
    const length = end - off;
    const bucket = sample(s, off, end) & (this.heads.length - 1);
    if (this.crowded[bucket] === 1) {
      // Keys the sample cannot tell apart: fall back to a hash of the whole key.
      return this.fallback.get(off === 0 && end === s.length ? s : s.slice(off, end)) ?? -1;
    }
    const keys = this.keys;
    for (let i = this.heads[bucket]!; i >= 0; i = this.chain[i]!) {
      const key = keys[i]!;
      if (key.length === length && s.startsWith(key, off)) return i;
    }
    return -1;
  }

  private insert(key: string, value: number): void {
    if (this.keys.length * 2 >= this.heads.length) this.grow();
    const index = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    this.chain.push(-1);
    const bit = quick(key, 0, key.length);
    this.bloom[bit >>> 5]! |= 1 << (bit & 31);
    this.link(index);
  }

  private link(index: number): void {
    const key = this.keys[index]!;
    const bucket = sample(key, 0, key.length) & (this.heads.length - 1);
    this.chain[index] = this.heads[bucket]!;
    this.heads[bucket] = index;
    if (this.crowded[bucket] === 1) this.fallback.set(key, index);
    else if (++this.chainLength[bucket]! > MAX_CHAIN) {
      this.crowded[bucket] = 1;
      for (let i = this.heads[bucket]!; i >= 0; i = this.chain[i]!) this.fallback.set(this.keys[i]!, i);
    }
  }

  private grow(): void {
    const size = this.heads.length * 2;
    this.heads = new Int32Array(size).fill(-1);
    this.chainLength = new Uint8Array(size);
    this.crowded = new Uint8Array(size);
    this.fallback.clear();
    for (let i = 0; i < this.keys.length; i++) this.link(i);
  }
}

/** Exact keys over a suffix `s[off..]`. */
export class ExactTable {
  private readonly table = new SampledTable();

  /** Sets a key (a later set replaces the value). */
  set(key: string, value: number): void {
    this.table.set(key, value);
  }

  /** Sets a key unless present; the first value stays. */
  setFirst(key: string, value: number): void {
    this.table.setFirst(key, value);
  }

  /** The value for `s[off..]`, or -1. */
  get(s: string, off: number): number {
    return this.table.get(s, off, s.length);
  }
}

/**
 * Prefixes matched on a `/` boundary (`path == p` or `path` starts with `p + "/"`): probes only
 * the positions where a declared prefix could end — each declared length when there are few
 * distinct lengths, else the path's own `/` positions from the longest candidate down.
 */
export class BoundaryPrefixTable {
  private readonly table = new SampledTable();
  private lengths = new Uint8Array(0);
  private minLength = Number.MAX_SAFE_INTEGER;
  private maxLength = 0;
  private byLength: Int32Array | undefined;

  /** How many prefixes the table holds. */
  get size(): number {
    return this.table.size;
  }

  /** Whether `prefix` is present. */
  has(prefix: string): boolean {
    return this.table.has(prefix);
  }

  /** Sets a prefix (a later set replaces the value). */
  set(prefix: string, value: number): void {
    this.table.set(prefix, value);
    const n = prefix.length;
    if (n >= this.lengths.length) {
      const grown = new Uint8Array(Math.max(n + 1, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[n] = 1;
    this.byLength = undefined;
    if (n < this.minLength) this.minLength = n;
    if (n > this.maxLength) this.maxLength = n;
  }

  /** The value of `s[off..]` itself as a prefix, or -1. */
  exactValue(s: string, off: number): number {
    const n = s.length;
    if (n - off > this.maxLength || this.lengths[n - off] !== 1) return -1;
    return this.table.get(s, off, n);
  }

  /** The value of the longest prefix of `s[off..]` on a `/` boundary, or -1. */
  longest(s: string, off: number): number {
    if (this.table.size === 0) return -1;
    const n = s.length;
    const whole = n - off;
    const byLength = this.byLength ?? this.sortLengths();
    if (byLength.length <= FEW_LENGTHS) {
      for (let k = 0; k < byLength.length; k++) {
        const length = byLength[k]!;
        if (length > whole || (length < whole && s.charCodeAt(off + length) !== SLASH)) continue;
        const value = this.table.get(s, off, off + length);
        if (value >= 0) return value;
      }
      return -1;
    }
    const lengths = this.lengths;
    if (whole <= this.maxLength && lengths[whole] === 1) {
      const value = this.table.get(s, off, n);
      if (value >= 0) return value;
    }
    let j = s.lastIndexOf("/", Math.min(n - 1, off + this.maxLength));
    while (j - off >= this.minLength) {
      if (lengths[j - off] === 1) {
        const value = this.table.get(s, off, j);
        if (value >= 0) return value;
      }
      j = s.lastIndexOf("/", j - 1);
    }
    return -1;
  }

  /** Calls `visit(prefix, value)` for every entry. */
  forEach(visit: (prefix: string, value: number) => void): void {
    this.table.forEach(visit);
  }

  private sortLengths(): Int32Array {
    const found: number[] = [];
    for (let n = this.lengths.length - 1; n >= 0; n--) if (this.lengths[n] === 1) found.push(n);
    this.byLength = Int32Array.from(found);
    return this.byLength;
  }
}

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
  private readonly runStarts = new Uint8Array(64 * 128);
  private readonly lastKeys = new Uint8Array(64 * 128);
  private wideRuns = false;
  private wideLast = false;

  /** Whether there is nothing to look for. */
  get isEmpty(): boolean {
    return this.roots.size === 0 && this.basenames.size === 0;
  }

  /** Adds a run of segments for rule `index`; the lowest index wins. */
  addRun(segments: readonly string[], index: number): void {
    let table = this.roots;
    let node = -1;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      node = table.get(segment, 0, segment.length);
      if (node < 0) {
        node = this.nodeIndex.length;
        this.nodeIndex.push(Infinity);
        this.nodeNext.push(undefined);
        table.set(segment, node);
      }
      if (i + 1 < segments.length) table = this.nodeNext[node] ??= new SampledTable();
    }
    if (index < this.nodeIndex[node]!) this.nodeIndex[node] = index;
    this.wideRuns = mark(this.runStarts, segments[0]!) || this.wideRuns;
  }

  /** Adds a last-segment name for rule `index`; the lowest index wins. */
  addBasename(name: string, index: number): void {
    const known = this.basenames.get(name, 0, name.length);
    if (known < 0 || index < known) this.basenames.set(name, index);
    this.wideLast = mark(this.lastKeys, name) || this.wideLast;
  }

  /**
   * The lowest rule index (below `best`, else `best`) of a run or last-segment name occurring in
   * the segments of `s[off..]`.
   */
  lowest(s: string, off: number, best: number): number {
    const n = s.length;
    let start = off;
    if (this.roots.size > 0) {
      for (;;) {
        let stop = s.indexOf("/", start);
        if (stop < 0) stop = n;
        if (stop > start && (filterHit(this.runStarts, s, start, stop) || (this.wideRuns && isWide(s, start, stop)))) {
          best = this.walkRun(s, start, stop, best);
        }
        if (stop === n) break;
        start = stop + 1;
      }
    } else {
      start = Math.max(off, s.lastIndexOf("/") + 1);
    }
    // `start` is now where the last segment begins.
    if (n > start && (filterHit(this.lastKeys, s, start, n) || (this.wideLast && isWide(s, start, n)))) {
      const index = this.basenames.get(s, start, n);
      if (index >= 0 && index < best) best = index;
    }
    return best;
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
      stop = s.indexOf("/", start);
      if (stop < 0) stop = n;
    }
    return best;
  }
}

// --- internal ---

function sample(s: string, off: number, end: number): number {
  const length = end - off;
  // The length, the last 16 characters (where paths with a shared stem differ: run ids, file
  // names) and four spread over the rest; keys that still collide go to the fallback map.
  let h = Math.imul(length, 0x9e3779b1);
  const tail = Math.max(off, end - 16);
  for (let i = end - 1; i >= tail; i--) h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b);
  if (length > 16) {
    const step = (length - 16) >> 2;
    h = Math.imul(h ^ s.charCodeAt(off + step), 0xc2b2ae35);
    h = Math.imul(h ^ s.charCodeAt(off + 2 * step), 0x27d4eb2f);
    h = Math.imul(h ^ s.charCodeAt(off + 3 * step), 0x165667b1);
    h = Math.imul(h ^ s.charCodeAt(off), 0x9e3779b1);
  }
  return (h ^ (h >>> 15)) >>> 0;
}

function quick(s: string, off: number, end: number): number {
  const length = end - off;
  const last = length > 0 ? s.charCodeAt(end - 1) : 0;
  const middle = length > 0 ? s.charCodeAt(off + (length >> 1)) : 0;
  return (Math.imul(length, 0x9e3779b1) ^ Math.imul(last, 0x85ebca6b) ^ Math.imul(middle, 0xc2b2ae35)) >>> (32 - BLOOM_BITS);
}

function mark(table: Uint8Array, segment: string): boolean {
  const first = segment.charCodeAt(0);
  if (segment.length >= 64 || first >= 128) return true;
  table[(segment.length << 7) | first] = 1;
  return false;
}

function filterHit(table: Uint8Array, s: string, start: number, end: number): boolean {
  const length = end - start;
  const first = s.charCodeAt(start);
  return length < 64 && first < 128 && table[(length << 7) | first] === 1;
}

function isWide(s: string, start: number, end: number): boolean {
  return end - start >= 64 || s.charCodeAt(start) >= 128;
}
