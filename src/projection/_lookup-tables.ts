// Private to projection: the lookup structures compiled rules are made of. Each answers in time
// bounded by the path's length and depth, never by the number of rules, and none hashes or copies
// the path: keys are bucketed by a few sampled characters and confirmed in place with `startsWith`
// (hashing a fresh substring costs as much as the rest of the classification together).

const FEW_LENGTHS = 12;
const MAX_CHAIN = 4;
const BLOOM_BITS = 18;
// Characters sampled per key, and how far from the end they may be taken.
const SAMPLED = 8;
const MAX_BACK = 96;
const SLASH = 47;
// At most this many keys are examined when choosing a table's sampled offsets.
const MAX_CHOOSING_KEYS = 256;

/**
 * A string → value table probed on a slice `s[off..end)` without building the slice. Keys are
 * bucketed by their length and the characters at a few offsets from the end, chosen when the table
 * is sealed as the offsets where its keys differ most (run ids, package names); a match is
 * confirmed in place with `startsWith`. Buckets the sample cannot split go to a hashed fallback.
 */
export class SampledTable {
  private readonly keys: string[] = [];
  private readonly values: number[] = [];
  private readonly index = new Map<string, number>();
  private sealed = false;
  private offsets: Int32Array<ArrayBuffer> = new Int32Array(0);
  private chain = new Int32Array(0);
  private heads = new Int32Array(1).fill(-1);
  private crowded = new Uint8Array(1);
  private readonly fallback = new Map<string, number>();
  private bloom = new Uint32Array(1 << (BLOOM_BITS - 5));
  // Bit per (first, second) character pair any key starts with; `true` while some key is shorter.
  private readonly pairs = new Uint32Array(1 << 11);
  private shortKey = false;

  /** How many keys the table holds. */
  get size(): number {
    return this.keys.length;
  }

  /** Sets a key (a later set replaces the value). */
  set(key: string, value: number): void {
    const found = this.index.get(key);
    if (found !== undefined) this.values[found] = value;
    else this.insert(key, value);
  }

  /** Sets a key unless present; the first value stays. */
  setFirst(key: string, value: number): void {
    if (!this.index.has(key)) this.insert(key, value);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.index.has(key);
  }

  /** The value of a whole key, or -1; for building (it hashes the key), not for probing paths. */
  valueOf(key: string): number {
    const found = this.index.get(key);
    return found === undefined ? -1 : this.values[found]!;
  }

  /**
   * Whether some key could start at `s[off]`: two characters and one bit reject most paths
   * before any hashing (most paths share no leading text with any rule).
   */
  mayStartAt(s: string, off: number): boolean {
    if (this.shortKey) return true;
    if (off + 1 >= s.length) return false;
    const pair = ((s.charCodeAt(off) & 0xff) << 8) | (s.charCodeAt(off + 1) & 0xff);
    return (this.pairs[pair >>> 5]! & (1 << (pair & 31))) !== 0;
  }

  /** The value for `s[off..end)`, or -1. */
  get(s: string, off: number, end: number): number {
    if (this.keys.length === 0) return -1;
    if (!this.sealed) this.seal();
    const offsets = this.offsets;
    const length = end - off;
    // Length and the two most telling characters reject most misses first.
    const bit = bloomBit(s, off, end, offsets);
    if ((this.bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return -1;
    const bucket = this.sample(s, off, end);
    if (this.crowded[bucket] === 1) {
      const found = this.fallback.get(off === 0 && end === s.length ? s : s.slice(off, end));
      return found === undefined ? -1 : this.values[found]!;
    }
    const keys = this.keys;
    for (let i = this.heads[bucket]!; i >= 0; i = this.chain[i]!) {
      const key = keys[i]!;
      if (key.length === length && s.startsWith(key, off)) return this.values[i]!;
    }
    return -1;
  }

  /** Calls `visit(key, value)` for every entry, in insertion order. */
  forEach(visit: (key: string, value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) visit(this.keys[i]!, this.values[i]!);
  }

  private insert(key: string, value: number): void {
    if (key.length < 2) this.shortKey = true;
    else {
      const pair = ((key.charCodeAt(0) & 0xff) << 8) | (key.charCodeAt(1) & 0xff);
      this.pairs[pair >>> 5]! |= 1 << (pair & 31);
    }
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
    this.sealed = false;
  }

  private seal(): void {
    const keys = this.keys;
    this.offsets = chooseOffsets(keys) as Int32Array<ArrayBuffer>;
    let size = 2;
    while (size < keys.length * 2) size *= 2;
    this.heads = new Int32Array(size).fill(-1);
    this.chain = new Int32Array(keys.length);
    this.crowded = new Uint8Array(size);
    this.bloom = new Uint32Array(1 << (BLOOM_BITS - 5));
    this.fallback.clear();
    const lengths = new Uint8Array(size);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const bucket = this.sample(key, 0, key.length);
      this.chain[i] = this.heads[bucket]!;
      this.heads[bucket] = i;
      if (lengths[bucket]! < 255) lengths[bucket]!++;
      const bit = bloomBit(key, 0, key.length, this.offsets);
      this.bloom[bit >>> 5]! |= 1 << (bit & 31);
    }
    for (let bucket = 0; bucket < size; bucket++) {
      if (lengths[bucket]! <= MAX_CHAIN) continue;
      this.crowded[bucket] = 1;
      for (let i = this.heads[bucket]!; i >= 0; i = this.chain[i]!) this.fallback.set(keys[i]!, i);
    }
    this.sealed = true;
  }

  private sample(s: string, off: number, end: number): number {
    return sampleHash(s, off, end, this.offsets) & (this.heads.length - 1);
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
    return this.table.mayStartAt(s, off) ? this.table.get(s, off, s.length) : -1;
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
    if (this.table.size === 0 || !this.table.mayStartAt(s, off)) return -1;
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
  // Last-segment names and one-segment runs together: what a path's last segment alone decides.
  private readonly leafNames = new SampledTable();
  // The leading segments (joined) of runs of two or more: a directory ending in one may complete a
  // run at its child. Their last segments, probed first, rule out most directories without a substring.
  private readonly continuations = new Set<string>();
  private readonly continuationEnds = new SampledTable();
  private readonly runStarts = new Uint8Array(64 * 128);
  private readonly lastKeys = new Uint8Array(64 * 128);
  private readonly leafKeys = new Uint8Array(64 * 128);
  private wideRuns = false;
  private wideLast = false;
  private wideLeaf = false;

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
    this.wideRuns = mark(this.runStarts, segments[0]!) || this.wideRuns;
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
    this.wideLast = mark(this.lastKeys, name) || this.wideLast;
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
    if (n > start && (filterHit(this.lastKeys, s, start, n) || (this.wideLast && isWide(s, start, n)))) {
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
      if (stop > start && (filterHit(this.runStarts, s, start, stop) || (this.wideRuns && isWide(s, start, stop)))) {
        best = this.walkRun(s, start, stop, best);
      }
      if (stop === n) return best;
      start = stop + 1;
    }
  }

  /** The lowest rule index of a last-segment name or one-segment run equal to `s[start..]`, or -1. */
  leafIndex(s: string, start: number): number {
    const n = s.length;
    if (n === start || !(filterHit(this.leafKeys, s, start, n) || (this.wideLeaf && isWide(s, start, n)))) return -1;
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
    this.wideLeaf = mark(this.leafKeys, name) || this.wideLeaf;
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

// The Bloom filter bit of `s[off..end)`: its length and its characters at the first two offsets.
function bloomBit(s: string, off: number, end: number, offsets: Int32Array): number {
  return (Math.imul(end - off, 0x9e3779b1) ^ Math.imul(at(s, off, end, offsets[0]!), 0x85ebca6b) ^ Math.imul(at(s, off, end, offsets[1]!), 0xc2b2ae35)) >>> (32 - BLOOM_BITS);
}

// A 32-bit hash of the length of `s[off..end)` and its characters at `offsets` from the end (murmur3-style mixing).
function sampleHash(s: string, off: number, end: number, offsets: Int32Array): number {
  let h = end - off;
  for (let k = 0; k < offsets.length; k++) {
    let c = Math.imul(at(s, off, end, offsets[k]!), 0xcc9e2d51);
    c = Math.imul((c << 15) | (c >>> 17), 0x1b873593);
    h ^= c;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Offsets from the end (1 = last character) chosen greedily: each round adds the offset that
 * splits the keys (grouped by length and the offsets so far) into the most groups; it stops when
 * every key stands alone or nothing splits further.
 */
function chooseOffsets(all: readonly string[]): Int32Array {
  // A spread sample of a large key set chooses the first offsets about as well, and sealing is
  // part of start-up (measured: 1 000 rules + built-in heuristics sealed in ~50 ms from all keys);
  // the whole set then adds offsets while the sample's leave keys together (10 000 rules need them).
  const step = Math.ceil(all.length / MAX_CHOOSING_KEYS);
  const chosen: number[] = [];
  if (step > 1) extendOffsets(all.filter((_, i) => i % step === 0), chosen);
  extendOffsets(all, chosen);
  while (chosen.length < 2) chosen.push(chosen.length + 1);
  return Int32Array.from(chosen);
}

// The character `back` positions before the end of `s[off..end)`, or 0 when the slice is shorter.
function at(s: string, off: number, end: number, back: number): number {
  return end - back >= off ? s.charCodeAt(end - back) : 0;
}

// Greedily appends to `chosen` the offsets that split `keys` (grouped by length and the offsets
// chosen so far) into the most groups, until every key stands alone or nothing splits further.
function extendOffsets(keys: readonly string[], chosen: number[]): void {
  const signature = new Int32Array(keys.length);
  keys.forEach((key, i) => (signature[i] = key.length));
  for (const back of chosen) for (let i = 0; i < keys.length; i++) signature[i] = mix(signature[i]!, at(keys[i]!, 0, keys[i]!.length, back));
  let groups = new Set(signature).size;
  if (chosen.length >= SAMPLED || groups >= keys.length) return;
  const candidates: number[] = [];
  for (let back = 1; back <= MAX_BACK; back++) {
    if (chosen.includes(back)) continue;
    if (keys.some((k) => k.length >= back && k.charCodeAt(k.length - back) !== keys[0]!.charCodeAt(keys[0]!.length - back))) candidates.push(back);
  }
  const groupsWith = (back: number): number => {
    const seen = new Set<number>();
    for (let i = 0; i < keys.length; i++) seen.add(mix(signature[i]!, at(keys[i]!, 0, keys[i]!.length, back)));
    return seen.size;
  };
  while (chosen.length < SAMPLED && groups < keys.length && candidates.length > 0) {
    let best = -1;
    let bestGroups = groups;
    for (const back of candidates) {
      const g = groupsWith(back);
      if (g > bestGroups) {
        bestGroups = g;
        best = back;
      }
    }
    if (best < 0) break;
    chosen.push(best);
    candidates.splice(candidates.indexOf(best), 1);
    for (let i = 0; i < keys.length; i++) signature[i] = mix(signature[i]!, at(keys[i]!, 0, keys[i]!.length, best));
    groups = bestGroups;
  }
}

function mix(h: number, c: number): number {
  h = Math.imul(h ^ c, 0x9e3779b1);
  return h ^ (h >>> 15);
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
