// A string → value table probed on a slice of a path without building the slice: the building block
// of the lookup tables compiled rules are made of (exact-table, boundary-prefix-table,
// segment-table). Each of those answers in time bounded by the path's length and depth, never by
// the number of rules, and none hashes or copies the path: keys are bucketed by a few sampled
// characters and confirmed in place with `startsWith` (hashing a fresh substring costs as much as
// the rest of the classification together).

// A bucket whose chain is longer than this goes to the hashed fallback (the sample cannot split it).
const MAX_CHAIN = 4;
// The Bloom filter over (length, two sampled characters) has 2^BLOOM_BITS bits.
const BLOOM_BITS = 18;
// Characters sampled per key, and how far from the end they may be taken.
const SAMPLED = 8;
const MAX_BACK = 96;
// At most this many keys are examined when choosing a table's sampled offsets.
const MAX_CHOOSING_KEYS = 256;
// Probes answered by hashing the probed slice before the table seals itself. Sealing chooses the
// sampled offsets over all keys: ~15 ms of cold start-up for 500 prefixes, against ~0.1 µs more per
// hashed probe, so a 10-path input never seals and a large one seals at once.
export const SEAL_AFTER = 4096;
// One bit per (first, second) character pair, each character's low 8 bits: 2^16 bits in 32-bit words.
const PAIR_WORDS = (1 << 16) >>> 5;

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
  private unsealedProbes = 0;
  private offsets: Int32Array<ArrayBuffer> = new Int32Array(0);
  private chain = new Int32Array(0);
  private heads = new Int32Array(1).fill(-1);
  private crowded = new Uint8Array(1);
  private readonly fallback = new Map<string, number>();
  // Allocated when sealed: a table may have dozens of small siblings (one per segment-trie node).
  private bloom = new Uint32Array(0);
  // Bit per (first, second) character pair any key starts with, built when sealed (until then every
  // probe may match); `shortKey` while some key is shorter than a pair.
  private pairs: Uint32Array | undefined;
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
    const pairs = this.pairs;
    if (pairs === undefined || this.shortKey) return true;
    if (off + 1 >= s.length) return false;
    const pair = ((s.charCodeAt(off) & 0xff) << 8) | (s.charCodeAt(off + 1) & 0xff);
    return (pairs[pair >>> 5]! & (1 << (pair & 31))) !== 0;
  }

  /** The value for `s[off..end)`, or -1. */
  get(s: string, off: number, end: number): number {
    if (this.keys.length === 0) return -1;
    if (!this.sealed) return this.getUnsealed(s, off, end);
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

  // Until SEAL_AFTER probes, a probe hashes its slice instead: a short input never pays for sealing.
  private getUnsealed(s: string, off: number, end: number): number {
    if (++this.unsealedProbes > SEAL_AFTER) {
      this.seal();
      return this.get(s, off, end);
    }
    const found = this.index.get(off === 0 && end === s.length ? s : s.slice(off, end));
    return found === undefined ? -1 : this.values[found]!;
  }

  private insert(key: string, value: number): void {
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
    this.sealed = false;
    this.pairs = undefined;
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
    this.pairs = startPairs(keys);
    this.shortKey = keys.some((key) => key.length < 2);
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

// --- internal ---

// The (first, second) character pairs keys start with, a bit each (keys shorter than two have none).
function startPairs(keys: readonly string[]): Uint32Array {
  const pairs = new Uint32Array(PAIR_WORDS);
  for (const key of keys) {
    if (key.length < 2) continue;
    const pair = ((key.charCodeAt(0) & 0xff) << 8) | (key.charCodeAt(1) & 0xff);
    pairs[pair >>> 5]! |= 1 << (pair & 31);
  }
  return pairs;
}

// The Bloom filter bit of `s[off..end)`: its length and its characters at the first two offsets.
function bloomBit(s: string, off: number, end: number, offsets: Int32Array): number {
  return (
    (Math.imul(end - off, 0x9e3779b1) ^
      Math.imul(charFromEnd(s, off, end, offsets[0]!), 0x85ebca6b) ^
      Math.imul(charFromEnd(s, off, end, offsets[1]!), 0xc2b2ae35)) >>>
    (32 - BLOOM_BITS)
  );
}

// A 32-bit hash of the length of `s[off..end)` and its characters at `offsets` from the end (murmur3-style mixing).
function sampleHash(s: string, off: number, end: number, offsets: Int32Array): number {
  let h = end - off;
  for (let k = 0; k < offsets.length; k++) {
    let c = Math.imul(charFromEnd(s, off, end, offsets[k]!), 0xcc9e2d51);
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
  if (step > 1)
    extendOffsets(
      all.filter((_, i) => i % step === 0),
      chosen,
    );
  extendOffsets(all, chosen);
  while (chosen.length < 2) chosen.push(chosen.length + 1);
  return new Int32Array(chosen);
}

// The character `back` positions before the end of `s[off..end)`, or 0 when the slice is shorter.
function charFromEnd(s: string, off: number, end: number, back: number): number {
  return end - back >= off ? s.charCodeAt(end - back) : 0;
}

// Greedily appends to `chosen` the offsets that split `keys` (grouped by length and the offsets
// chosen so far) into the most groups, until every key stands alone or nothing splits further.
function extendOffsets(keys: readonly string[], chosen: number[]): void {
  const signature = new Int32Array(keys.length);
  keys.forEach((key, i) => (signature[i] = key.length));
  for (const back of chosen) for (let i = 0; i < keys.length; i++) signature[i] = mixSignature(signature[i]!, charFromEnd(keys[i]!, 0, keys[i]!.length, back));
  let groups = new Set(signature).size;
  if (chosen.length >= SAMPLED || groups >= keys.length) return;
  const candidates: number[] = [];
  for (let back = 1; back <= MAX_BACK; back++) {
    if (chosen.includes(back)) continue;
    if (keys.some((k) => k.length >= back && k.charCodeAt(k.length - back) !== keys[0]!.charCodeAt(keys[0]!.length - back))) candidates.push(back);
  }
  const groupsWith = (back: number): number => {
    const seen = new Set<number>();
    for (let i = 0; i < keys.length; i++) seen.add(mixSignature(signature[i]!, charFromEnd(keys[i]!, 0, keys[i]!.length, back)));
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
    for (let i = 0; i < keys.length; i++) signature[i] = mixSignature(signature[i]!, charFromEnd(keys[i]!, 0, keys[i]!.length, best));
    groups = bestGroups;
  }
}

function mixSignature(h: number, c: number): number {
  h = Math.imul(h ^ c, 0x9e3779b1);
  return h ^ (h >>> 15);
}
