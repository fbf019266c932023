// AssemblyScript, compiled to WebAssembly at build time (scripts/build-wasm.ts): the byte-level
// projection core. It classifies each line of a byte buffer straight from its bytes with tables
// the host (byte-core.ts) lays out in this memory; no string is made per path. A line the core
// cannot decide alone (invalid UTF-8, or a glob kept as a pattern whose head matches) is answered
// UNDECIDED and the host classifies it the string way.

// Configuration words (u32) written by the host at `config`; see byte-core.ts for their order.
// Tables are descriptors (slots, mask, filter, longest key); see `lookup`.
let declExact: usize = 0;
let declPrefix: usize = 0;
let hExact: usize = 0;
let hPrefix: usize = 0;
let trie: usize = 0;
let trieMask: u32 = 0;
let nodeMin: usize = 0;
let nodeParent: usize = 0;
let nodeHasChildren: usize = 0;
let basenames: usize = 0;
let globCount: u32 = 0;
let globs: usize = 0;
let entryBase: i32 = 0;
let hasHeuristics: u32 = 0;
let opCount: u32 = 0;
let ops: usize = 0;
let counts: usize = 0;
let active: usize = 0;
let nextActive: usize = 0;
let globScratch: usize = 0;
let runStarts: usize = 0;
// ndjson output: per entry (projected text, tail, kind), the fixed fragments, the largest fixed part.
let entryOut: usize = 0;
let rawHead: usize = 0;
let rawHeadLength: usize = 0;
let projectedHead: usize = 0;
let projectedHeadLength: usize = 0;
let unmatchedTail: usize = 0;
let unmatchedTailLength: usize = 0;
let workdir: usize = 0;
let workdirLength: usize = 0;
let outFixed: usize = 0;

const UNDECIDED: i32 = -2;
const EMPTY_LINE: i32 = -3;
const REPEATED: i32 = -4;
let lineEnd: usize = 0;
// Of the last line classified: its operation part's length, whether the whole line was an exact
// key, and the length of the declared prefix it fell under (what its projected value is made of).
let lineOff: usize = 0;
let wholeHit: bool = false;
let prefixLength: u32 = 0;
let lineNext: usize = 0;
let declPrefixLongest: u32 = 0;
let declPrefixLengths: usize = 0;
let hPrefixLongest: u32 = 0;
let hPrefixLengths: usize = 0;
const NONE: i32 = 0x7fffffff;
const ROOT: u32 = 0xffffffff;
const SLASH: u8 = 47;
const EMPTY: u32 = 0xffffffff;

// Results of the last `scan`, read by the host.
let unmatchedCount: f64 = 0;
let lineCount: f64 = 0;
let candidateCount: u32 = 0;
let fallbackCount: u32 = 0;

/** Allocates `size` bytes (tables, buffers); the host re-reads memory views after a call. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees what `alloc` returned. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Reads the configuration words the host wrote at `config`. */
export function configure(config: usize): void {
  declExact = load<u32>(config, 0);
  declPrefix = load<u32>(config, 8);
  hExact = load<u32>(config, 24);
  hPrefix = load<u32>(config, 32);
  trie = load<u32>(config, 48);
  trieMask = load<u32>(config, 52);
  nodeMin = load<u32>(config, 56);
  nodeParent = load<u32>(config, 60);
  nodeHasChildren = load<u32>(config, 64);
  basenames = load<u32>(config, 68);
  globCount = load<u32>(config, 76);
  globs = load<u32>(config, 80);
  entryBase = load<i32>(config, 84);
  hasHeuristics = load<u32>(config, 88);
  opCount = load<u32>(config, 92);
  ops = load<u32>(config, 96);
  counts = load<u32>(config, 100);
  active = load<u32>(config, 104);
  nextActive = load<u32>(config, 108);
  globScratch = load<u32>(config, 112);
  runStarts = load<u32>(config, 116);
  entryOut = load<u32>(config, 120);
  rawHead = load<u32>(config, 124);
  rawHeadLength = load<u32>(config, 128);
  projectedHead = load<u32>(config, 132);
  projectedHeadLength = load<u32>(config, 136);
  unmatchedTail = load<u32>(config, 140);
  unmatchedTailLength = load<u32>(config, 144);
  workdir = load<u32>(config, 148);
  workdirLength = load<u32>(config, 152);
  outFixed = load<u32>(config, 156);
  // Prefixes are probed at every `/`: their length filters are read once here.
  declPrefixLongest = load<u32>(declPrefix, 4) == 0 ? 0 : load<u32>(declPrefix, 12);
  declPrefixLengths = load<u32>(declPrefix, 16);
  hPrefixLongest = hasHeuristics == 0 || load<u32>(hPrefix, 4) == 0 ? 0 : load<u32>(hPrefix, 12);
  hPrefixLengths = load<u32>(hPrefix, 16);
}

/** The rule id of the line `[start, end)` of memory, -1 unmatched, -2 undecided (the host decides). */
export function classifyLine(start: usize, end: usize): i32 {
  return classifyAt(start, end);
}

// Classifies the line starting at `start`: it ends at the first `\n` before `stop`, else at `stop`
// (a trailing `\r` dropped); `lineEnd` and `lineNext` (after the `\n`, or `stop` + 1 when none
// was found) are set. Returns EMPTY_LINE for an empty line.
function classifyAt(start: usize, stop: usize): i32 {
  const off = operationOffset(start, stop);
  const path = start + off;
  let segStart = path;
  let high: i32 = 0;
  let declared: i32 = -1;
  let declaredLength: u32 = 0;
  let hPre: i32 = NONE;
  let run: i32 = NONE;
  let activeCount: u32 = 0;
  let end = stop;
  const heuristics = hasHeuristics != 0;
  const walkRuns = heuristics && trieMask != 0;
  const slashes = i8x16.splat(SLASH);
  const newlines = i8x16.splat(10);
  // 16 bytes at a time (the host leaves readable bytes after the input): masks of the `\n`, `/`
  // and high-bit positions; the work is per `/`, not per byte.
  for (let block = path; block < end; block += 16) {
    const v = v128.load(block);
    let mask = <u32>i8x16.bitmask(i8x16.eq(v, slashes));
    let top = <u32>i8x16.bitmask(v);
    const nl = <u32>i8x16.bitmask(i8x16.eq(v, newlines));
    if (nl != 0) {
      const at = block + <usize>ctz(nl);
      if (at < end) end = at;
    }
    if (block + 16 > end) {
      const keep = (<u32>1 << <u32>(end - block)) - 1;
      mask &= keep;
      top &= keep;
    }
    high |= <i32>top;
    while (mask != 0) {
      const p = block + <usize>ctz(mask);
      mask &= mask - 1;
      const length = <u32>(p - path);
      if (length > 0) {
        if (length <= declPrefixLongest && load<u8>(declPrefixLengths + length) != 0) {
          const d = lookup(declPrefix, path, length);
          if (d >= 0) {
            declared = d;
            declaredLength = length;
          }
        }
        if (length <= hPrefixLongest && load<u8>(hPrefixLengths + length) != 0) {
          const h = lookup(hPrefix, path, length);
          if (h >= 0) hPre = h;
        }
      }
      if (walkRuns) {
        const segLength = <u32>(p - segStart);
        if (segLength > 0 && (activeCount > 0 || mayStartRun(segStart, segLength))) {
          activeCount = trieStep(activeCount, segStart, segLength);
          const min = load<i32>(globScratch);
          if (min < run) run = min;
        } else activeCount = 0;
      }
      segStart = p + 1;
    }
  }
  // The operation part holds no `\n` (it matched letters, `:` and `/`), so the scan from `path` found the end.
  lineNext = end + 1;
  // The `\r` comes after every `/` seen, so nothing above changes when it is dropped.
  if (end > start && load<u8>(end - 1) == 13) end--;
  lineEnd = end;
  lineOff = off;
  wholeHit = false;
  if (end == start) return EMPTY_LINE;
  if (high != 0 && !isUtf8(start, end)) return UNDECIDED;
  const length = <u32>(end - path);
  // Whole value first (a whole-value hit carries no operation), then the path part.
  const whole = lookup(declExact, start, <u32>(end - start));
  if (whole >= 0) {
    wholeHit = true;
    return whole;
  }
  if (off > 0) {
    const part = lookup(declExact, path, length);
    if (part >= 0) return part;
  }
  const d = lookup(declPrefix, path, length);
  if (d >= 0) {
    declared = d;
    declaredLength = length;
  }
  prefixLength = declaredLength;
  if (declared >= 0) return declared;
  if (!heuristics) return -1;
  let best = hPre;
  const h = lookup(hPrefix, path, length);
  if (h >= 0) best = h;
  if (run < best) best = run;
  const e = lookup(hExact, path, length);
  if (e >= 0 && e < best) best = e;
  const segLength = <u32>(end - segStart);
  if (segLength > 0) {
    if (walkRuns && (activeCount > 0 || mayStartRun(segStart, segLength))) {
      trieStep(activeCount, segStart, segLength);
      const min = load<i32>(globScratch);
      if (min < best) best = min;
    }
    const b = lookup(basenames, segStart, segLength);
    if (b >= 0 && b < best) best = b;
  }
  // Globs kept as patterns, lowest index first: the first that could beat `best`, starts with its
  // literal head and matches wins. One too costly to match here (many wildcards) goes to the host.
  for (let g: u32 = 0; g < globCount; g++) {
    const entry = globs + (<usize>g) * 20;
    const index = load<i32>(entry);
    if (index >= best) break;
    const headLength = load<u32>(entry, 8);
    if (headLength > length || memory.compare(path, load<u32>(entry, 4), headLength) != 0) continue;
    steps = 0;
    const matched = matchGlob(load<u32>(entry, 12), load<u32>(entry, 12) + (<usize>load<u32>(entry, 16)) * 12, path, end);
    if (steps > MAX_STEPS) return UNDECIDED;
    if (matched) {
      best = index;
      break;
    }
  }
  return best == NONE ? -1 : entryBase + best;
}

/**
 * Classifies every complete line of `[buf, buf+len)` (lines end at `\n`; a trailing `\r` is
 * dropped; empty lines are skipped). With `rows` != 0 it writes (start, end, id) per line there and
 * returns the line count; else it adds each id to the counts, notes unmatched lines that sort below
 * the threshold `[thr, thr+thrLen)` (all of them when `thrLen` is EMPTY) as candidates, and
 * undecided lines as fallbacks (start, end pairs). Returns how many bytes it consumed (up to and
 * including the last `\n`; everything when `final`).
 */
export function scan(buf: usize, len: usize, final: u32, rows: usize, candidates: usize, fallbacks: usize, thr: usize, thrLen: u32): usize {
  const stop = buf + len;
  let start = buf;
  let n: u32 = 0;
  candidateCount = 0;
  fallbackCount = 0;
  unmatchedCount = 0;
  lineCount = 0;
  let consumed: usize = 0;
  while (start < stop) {
    const id = classifyAt(start, stop);
    const end = lineEnd;
    const next = lineNext;
    // A line without its `\n` is left for the next call, unless this is the last one.
    if (next > stop && final == 0) break;
    if (id != EMPTY_LINE) {
      if (rows != 0) {
        const row = rows + (<usize>n) * 12;
        store<u32>(row, <u32>(start - buf));
        store<u32>(row, <u32>(end - buf), 4);
        store<i32>(row, id, 8);
      } else if (id >= 0) {
        const slot = counts + (<usize>id << 3);
        store<f64>(slot, load<f64>(slot) + 1);
      } else if (id == -1) {
        unmatchedCount += 1;
        if (thrLen == EMPTY || below(start, end, thr, thrLen)) {
          const c = candidates + (<usize>candidateCount << 3);
          store<u32>(c, <u32>(start - buf));
          store<u32>(c, <u32>(end - buf), 4);
          candidateCount++;
        }
      } else {
        const f = fallbacks + (<usize>fallbackCount << 3);
        store<u32>(f, <u32>(start - buf));
        store<u32>(f, <u32>(end - buf), 4);
        fallbackCount++;
      }
      n++;
    }
    consumed = (next > stop ? stop : next) - buf;
    start = next;
  }
  lineCount = <f64>n;
  return consumed;
}

/**
 * Writes the `ndjson` record (as `JSON.stringify(classifyPath(line))` with a newline) of every
 * complete line of `[buf, buf+len)` to `out`, stopping early when the next line might not fit in
 * `outCap` bytes. Undecided lines get no record but a fallback entry (output offset, start, end)
 * for the host to fill in. Returns the bytes consumed; `outLength()` is the bytes written.
 */
export function emit(buf: usize, len: usize, final: u32, out: usize, outCap: usize, fallbacks: usize): usize {
  const stop = buf + len;
  let start = buf;
  let o = out;
  fallbackCount = 0;
  let consumed: usize = 0;
  while (start < stop) {
    const id = classifyAt(start, stop);
    const end = lineEnd;
    const next = lineNext;
    if (next > stop && final == 0) break;
    // Worst case: every byte escaped as \u00XX twice (raw and projected), plus the fixed parts.
    if (o + (end - start) * 12 + outFixed > out + outCap) break;
    if (id == UNDECIDED) {
      const f = fallbacks + (<usize>fallbackCount) * 12;
      store<u32>(f, <u32>(o - out));
      store<u32>(f, <u32>(start - buf), 4);
      store<u32>(f, <u32>(end - buf), 8);
      fallbackCount++;
    } else if (id != EMPTY_LINE) {
      o = put(o, rawHead, rawHeadLength);
      o = escape(o, start, end);
      o = put(o, projectedHead, projectedHeadLength);
      if (id < 0) {
        o = escape(o, start, end);
        o = put(o, unmatchedTail, unmatchedTailLength);
      } else {
        const entry = entryOut + (<usize>id) * 20;
        const kind = load<u32>(entry, 16);
        const path = start + lineOff;
        // The operation prefix (letters and `:`, nothing to escape) stays, unless the whole value was the key.
        if (!wholeHit) o = put(o, start, lineOff);
        if (kind == KIND_PREFIX) {
          o = put(o, workdir, workdirLength);
          const rest = path + <usize>prefixLength;
          if (rest < end) o = escape(o, rest + 1, end);
        } else o = put(o, load<u32>(entry), load<u32>(entry, 4));
        o = put(o, load<u32>(entry, 8), load<u32>(entry, 12));
      }
    }
    consumed = (next > stop ? stop : next) - buf;
    start = next;
  }
  outWritten = o - out;
  return consumed;
}

/** Bytes written by the last `emit`. */
export function outLength(): usize {
  return outWritten;
}

/** How many `\n` bytes `[buf, buf+len)` holds (a bound for the rows of one `scan`). */
export function countNewlines(buf: usize, len: usize): u32 {
  const newlines = i8x16.splat(10);
  const stop = buf + len;
  let n: u32 = 0;
  let p = buf;
  for (; p + 16 <= stop; p += 16) n += <u32>popcnt(<u32>i8x16.bitmask(i8x16.eq(v128.load(p), newlines)));
  for (; p < stop; p++) if (load<u8>(p) == 10) n++;
  return n;
}

/**
 * Marks rows (start, end, id as `scan` wrote them, offsets from `buf`) whose line repeats an
 * earlier row's line: their id becomes REPEATED. `keys` and `spare` hold `n` 8-byte words each.
 * Each row's key is its line's hash above its index; a stable radix sort on the hash groups equal
 * hashes in row order, and only lines within a group are compared: every pass but the last reads
 * and writes sequentially (a hash table of a million lines was a cache miss per line). Returns how
 * many rows it marked.
 */
export function markRepeats(buf: usize, rows: usize, n: u32, keys: usize, spare: usize): u32 {
  for (let r: u32 = 0; r < n; r++) {
    const row = rows + (<usize>r) * 12;
    const hash = hashBytes(buf + <usize>load<u32>(row), load<u32>(row, 4) - load<u32>(row), 0);
    store<u64>(keys + (<usize>r << 3), ((<u64>hash) << 32) | <u64>r);
  }
  // Three stable passes of 11 bits over the hash (bits 32..63 of the key).
  let from = keys;
  let to = spare;
  for (let shift: u64 = 32; shift < 64; shift += 11) {
    const counts = radixCounts;
    memory.fill(counts, 0, 2048 * 4);
    for (let r: u32 = 0; r < n; r++) {
      const digit = <usize>((load<u64>(from + (<usize>r << 3)) >> shift) & 2047);
      store<u32>(counts + (digit << 2), load<u32>(counts + (digit << 2)) + 1);
    }
    let total: u32 = 0;
    for (let d: usize = 0; d < 2048; d++) {
      const c = load<u32>(counts + (d << 2));
      store<u32>(counts + (d << 2), total);
      total += c;
    }
    for (let r: u32 = 0; r < n; r++) {
      const key = load<u64>(from + (<usize>r << 3));
      const slot = counts + (<usize>((key >> shift) & 2047) << 2);
      const at = load<u32>(slot);
      store<u32>(slot, at + 1);
      store<u64>(to + (<usize>at << 3), key);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  let marked: u32 = 0;
  for (let g: u32 = 0; g < n; ) {
    const hash = <u32>(load<u64>(from + (<usize>g << 3)) >> 32);
    let end = g + 1;
    while (end < n && <u32>(load<u64>(from + (<usize>end << 3)) >> 32) == hash) end++;
    // Within a group rows are in input order: a row repeats when an earlier unmarked one is equal.
    for (let k = g + 1; k < end; k++) {
      const row = rows + (<usize>(<u32>load<u64>(from + (<usize>k << 3)))) * 12;
      const start = load<u32>(row);
      const length = load<u32>(row, 4) - start;
      for (let j = g; j < k; j++) {
        const other = rows + (<usize>(<u32>load<u64>(from + (<usize>j << 3)))) * 12;
        if (load<i32>(other, 8) == REPEATED) continue;
        if (load<u32>(other, 4) - load<u32>(other) == length && memory.compare(buf + <usize>load<u32>(other), buf + <usize>start, length) == 0) {
          store<i32>(row, REPEATED, 8);
          marked++;
          break;
        }
      }
    }
    g = end;
  }
  return marked;
}

/** Whether `[a, aEnd)` sorts strictly before `[t, t+tLen)` in byte order. */
export function lessThan(a: usize, aEnd: usize, t: usize, tLen: u32): bool {
  return below(a, aEnd, t, tLen);
}

/** Lines classified by the last `scan`. */
export function lines(): f64 {
  return lineCount;
}

/** Unmatched lines of the last `scan` (summary mode). */
export function unmatched(): f64 {
  return unmatchedCount;
}

/** Sample candidates noted by the last `scan`. */
export function candidatesNoted(): u32 {
  return candidateCount;
}

/** Undecided lines noted by the last `scan`. */
export function fallbacksNoted(): u32 {
  return fallbackCount;
}

// --- internal ---

const KIND_PREFIX: u32 = 1;
let outWritten: usize = 0;
const radixCounts: usize = memory.data(2048 * 4, 16);

@inline function put(o: usize, from: usize, length: usize): usize {
  memory.copy(o, from, length);
  return o + length;
}

// JSON string content of UTF-8 bytes, as JSON.stringify writes it: `"`, `\\` and control
// characters escaped (the short forms where JSON has them, else \u00xx), everything else as is.
function escape(o: usize, p: usize, end: usize): usize {
  for (; p < end; p++) {
    const b = load<u8>(p);
    if (b >= 0x20 && b != 34 && b != 92) {
      store<u8>(o++, b);
      continue;
    }
    store<u8>(o++, 92);
    if (b == 34 || b == 92) store<u8>(o++, b);
    else if (b == 8) store<u8>(o++, 98);
    else if (b == 9) store<u8>(o++, 116);
    else if (b == 10) store<u8>(o++, 110);
    else if (b == 12) store<u8>(o++, 102);
    else if (b == 13) store<u8>(o++, 114);
    else {
      store<u8>(o, 117);
      store<u8>(o, 48, 1);
      store<u8>(o, 48, 2);
      store<u8>(o, hex(b >> 4), 3);
      store<u8>(o, hex(b & 15), 4);
      o += 5;
    }
  }
  return o;
}

@inline function hex(n: u8): u8 {
  return n < 10 ? 48 + n : 87 + n;
}

// Where the path part starts: after `op:` when the line starts with one of the operations followed
// by `:/`, else 0. Split at the first `:` only. `end` bounds the line or the buffer: a `\n` before
// it never matches an operation's letters, `:` or `/`.
function operationOffset(start: usize, end: usize): usize {
  if (start == end || load<u8>(start) == SLASH) return 0;
  for (let i: u32 = 0; i < opCount; i++) {
    const entry = ops + (<usize>i << 3);
    const length = <usize>load<u32>(entry, 4);
    if (start + length + 1 >= end) continue;
    if (load<u8>(start + length) != 58 || load<u8>(start + length + 1) != SLASH) continue;
    if (memory.compare(start, load<u32>(entry), length) != 0) continue;
    // The first `:` must be this one: operations hold no `:`, so none came before.
    return length + 1;
  }
  return 0;
}

@inline function mix(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

// A table is a descriptor: slots, mask (0: empty table), a 64 Ki-bit filter over (length, first two
// bytes, last byte), the longest key's length and a byte per length (1: some key has it); the
// length and the filter reject most probes before any hashing.
// Slots are open addressing, 16 bytes each (hash, key pointer, key length or EMPTY, value).
function lookup(descriptor: usize, key: usize, length: u32): i32 {
  const mask = load<u32>(descriptor, 4);
  if (mask == 0 || length == 0 || length > load<u32>(descriptor, 12) || load<u8>(load<u32>(descriptor, 16) + length) == 0) return -1;
  const bit = filterBit(key, length);
  if ((load<u8>(load<u32>(descriptor, 8) + (bit >>> 3)) & (<u8>1 << <u8>(bit & 7))) == 0) return -1;
  const table = load<u32>(descriptor);
  const hash = hashBytes(key, length, 0);
  let i = mix(hash) & mask;
  while (true) {
    const slot = table + (<usize>i << 4);
    const slotLength = load<u32>(slot, 8);
    if (slotLength == EMPTY) return -1;
    if (slotLength == length && load<u32>(slot) == hash && memory.compare(load<u32>(slot, 4), key, length) == 0) return load<i32>(slot, 12);
    i = (i + 1) & mask;
  }
}

// The filter bit of a key: its length, first two and last bytes; byte-core.ts computes the same.
@inline function filterBit(key: usize, length: u32): u32 {
  const second = length > 1 ? <u32>load<u8>(key, 1) : 0;
  const h = (length * 0x9e3779b1) ^ ((<u32>load<u8>(key) | (second << 8)) * 0x85ebca6b) ^ (<u32>load<u8>(key + length - 1) * 0xc2b2ae35);
  return h >>> 16;
}

// The hash of `[p, p+length)` (seeded), four bytes a step; byte-core.ts computes the same.
function hashBytes(p: usize, length: u32, seed: u32): u32 {
  let h: u32 = (length ^ seed) * 0x9e3779b1;
  const end = p + length;
  for (; p + 4 <= end; p += 4) {
    h = (h ^ load<u32>(p)) * 0x85ebca6b;
    h ^= h >>> 13;
  }
  if (p < end) {
    let w: u32 = 0;
    for (let k: u32 = 0; p < end; p++, k += 8) w |= (<u32>load<u8>(p)) << k;
    h = (h ^ w) * 0x85ebca6b;
    h ^= h >>> 13;
  }
  return h;
}

// Whether a run may start with segment `[p, p+length)`: its (length, first byte) is marked.
@inline function mayStartRun(p: usize, length: u32): bool {
  const first = <u32>load<u8>(p);
  return length >= 64 || first >= 128 || load<u8>(runStarts + ((length << 7) | first)) != 0;
}

// The trie node of segment `[key, key+length)` under `parent`, or -1.
function trieLookup(parent: u32, key: usize, length: u32): i32 {
  const h = hashBytes(key, length, parent);
  let i = mix(h) & trieMask;
  while (true) {
    const slot = trie + (<usize>i << 4);
    const slotLength = load<u32>(slot, 8);
    if (slotLength == EMPTY) return -1;
    if (slotLength == length && load<u32>(slot) == h) {
      const node = load<i32>(slot, 12);
      if (load<u32>(nodeParent + (<usize>node << 2)) == parent && memory.compare(load<u32>(slot, 4), key, length) == 0) return node;
    }
    i = (i + 1) & trieMask;
  }
}

// Advances every run walk by one segment (and starts one at it); writes the lowest glob index a
// run completed at into the scratch word; returns the number of walks still going.
function trieStep(count: u32, key: usize, length: u32): u32 {
  let min: i32 = NONE;
  let next: u32 = 0;
  for (let k: u32 = 0; k <= count; k++) {
    const parent = k < count ? load<u32>(active + (<usize>k << 2)) : ROOT;
    const node = trieLookup(parent, key, length);
    if (node < 0) continue;
    const index = load<i32>(nodeMin + (<usize>node << 2));
    if (index < min) min = index;
    if (load<u8>(nodeHasChildren + <usize>node) != 0) {
      store<u32>(nextActive + (<usize>next << 2), <u32>node);
      next++;
    }
  }
  const swap = active;
  active = nextActive;
  nextActive = swap;
  store<i32>(globScratch, min);
  return next;
}

// Glob tokens (12 bytes: kind, literal pointer, literal length), as globToRegExp reads a glob.
const LITERAL: u32 = 0;
const STAR: u32 = 1; // [^/]*
const ONE: u32 = 2; // [^/], one code point
const SEGMENTS: u32 = 3; // `**/`: (?:[^/]*/)*
const TAIL: u32 = 4; // a final `/**`: (?:/.*)?
const ANY: u32 = 5; // any other `**`: .*
const MAX_STEPS: u32 = 4096;
let steps: u32 = 0;

// Whether tokens `[t, tEnd)` match all of `[p, end)` (valid UTF-8), backtracking as the regular
// expression does; gives up (and `steps` exceeds MAX_STEPS) when that takes too long.
function matchGlob(t: usize, tEnd: usize, p: usize, end: usize): bool {
  for (; t < tEnd; t += 12) {
    if (++steps > MAX_STEPS) return false;
    const kind = load<u32>(t);
    if (kind == LITERAL) {
      const length = <usize>load<u32>(t, 8);
      if (end - p < length || memory.compare(p, load<u32>(t, 4), length) != 0) return false;
      p += length;
    } else if (kind == ONE) {
      if (p >= end || load<u8>(p) == SLASH) return false;
      p += sequenceLength(p);
    } else if (kind == TAIL) {
      return p == end || load<u8>(p) == SLASH;
    } else {
      // STAR, ANY and SEGMENTS try every end of what they take, shortest first.
      for (let q = p; ; ) {
        if (kind != SEGMENTS || q == p || load<u8>(q - 1) == SLASH) {
          if (matchGlob(t + 12, tEnd, q, end)) return true;
          if (steps > MAX_STEPS) return false;
        }
        if (q >= end || (kind == STAR && load<u8>(q) == SLASH)) return false;
        q += sequenceLength(q);
      }
    }
  }
  return p == end;
}

// The byte length of the UTF-8 sequence starting at `p` (the line is well-formed).
@inline function sequenceLength(p: usize): usize {
  const b = <u32>load<u8>(p);
  return b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

// Whether `[a, aEnd)` sorts strictly before `[t, t+tLen)` in byte order.
function below(a: usize, aEnd: usize, t: usize, tLen: u32): bool {
  const aLen = <u32>(aEnd - a);
  const n = aLen < tLen ? aLen : tLen;
  const c = memory.compare(a, t, n);
  return c < 0 || (c == 0 && aLen < tLen);
}

// Well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF), as a fatal decoder accepts.
function isUtf8(p: usize, end: usize): bool {
  while (p < end) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      p++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b == 0xe0) lo = 0xa0;
      else if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b == 0xf0) lo = 0x90;
      else if (b == 0xf4) hi = 0x8f;
    } else return false;
    if (p + need >= end) return false;
    const c1 = <u32>load<u8>(p + 1);
    if (c1 < lo || c1 > hi) return false;
    for (let k: u32 = 2; k <= need; k++) {
      const c = <u32>load<u8>(p + k);
      if (c < 0x80 || c > 0xbf) return false;
    }
    p += 1 + need;
  }
  return true;
}
