// AssemblyScript, compiled to WebAssembly at build time (scripts/build-wasm.ts): the byte-level
// projection core. It classifies each line of a byte buffer straight from its bytes with tables
// the host (byte-tables.ts, byte-classifier.ts) lays out in this memory; no string is made per path.
// A line the core cannot decide alone (not UTF-8, or a glob pattern past its matching budget) is
// answered UNDECIDED and the host classifies it the string way. This file holds the entry points and the
// line loop; the configuration and lookups are in _tables, glob patterns in _glob, repeated lines in
// _repeats, byte helpers in _bytes.

import { below, bytesEqual, escape, isUtf8, put } from "./_bytes.as";
import { matchGlobWithin } from "./_glob.as";
import {
  basenames,
  counts,
  declExact,
  declPrefix,
  declPrefixBits,
  entryBase,
  entryOut,
  globCount,
  globs,
  globScratch,
  hasHeuristics,
  hExact,
  hPrefix,
  hPrefixBits,
  lookup,
  mayStartRun,
  operationOffset,
  outFixed,
  prefixBits,
  prefixBitsLimit,
  projectedHead,
  projectedHeadLength,
  rawHead,
  rawHeadLength,
  trieMask,
  trieStep,
  unmatchedTail,
  unmatchedTailLength,
  workdir,
  workdirLength,
} from "./_tables.as";

export { configure } from "./_tables.as";
export { countNewlines } from "./_bytes.as";
export { markRepeats } from "./_repeats.as";

const UNDECIDED: i32 = -2;
const EMPTY_LINE: i32 = -3;
const REPEATED: i32 = -4;
const NONE: i32 = 0x7fffffff;
let lineEnd: usize = 0;
// Of the last line classified: its operation part's length, whether the whole line was an exact
// key, and the length of the declared prefix it fell under (what its projected value is made of).
let lineOff: usize = 0;
let wholeHit: bool = false;
let prefixLength: u32 = 0;
// What `probePrefixes` found: the deepest declared prefix (-1 none) and heuristic prefix (NONE none).
let probedDeclared: i32 = -1;
let probedHeuristic: i32 = NONE;
let lineNext: usize = 0;
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
  let high: u32 = 0;
  let probe: u32 = 0;
  let end = stop;
  const slashes = i8x16.splat(SLASH);
  const newlines = i8x16.splat(10);
  // 16 bytes at a time (the host leaves readable bytes after the input): masks of the `\n`, `/`
  // and high-bit positions. No call in this loop: it stays in registers. It notes whether a `/`
  // falls at the length of some prefix key (a bit per length), and where the last segment starts.
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
    high |= top;
    const o = <u32>(block - path);
    if (o < prefixBitsLimit) probe |= mask & <u32>load<u16>(prefixBits + (o >> 3));
    if (mask != 0) segStart = block + 32 - <usize>clz(mask);
  }
  // The operation part holds no `\n` (it matched letters, `:` and `/`), so the scan from `path` found the end.
  lineNext = end + 1;
  // The `\r` comes after every `/` seen, so nothing above changes when it is dropped.
  if (end > start && load<u8>(end - 1) == 13) end--;
  lineEnd = end;
  lineOff = off;
  wholeHit = false;
  prefixLength = 0;
  if (end == start) return EMPTY_LINE;
  if (high != 0 && !isUtf8(start, end)) return UNDECIDED;
  // Whole value first (a whole-value hit carries no operation), then the path part.
  const whole = lookup(declExact, start, <u32>(end - start));
  if (whole >= 0) {
    wholeHit = true;
    return whole;
  }
  const length = <u32>(end - path);
  if (off > 0) {
    const part = lookup(declExact, path, length);
    if (part >= 0) return part;
  }
  if (probe != 0) probePrefixes(path, end);
  else {
    probedDeclared = -1;
    probedHeuristic = NONE;
  }
  const d = lookup(declPrefix, path, length);
  if (d >= 0) {
    prefixLength = length;
    return d;
  }
  if (probedDeclared >= 0) return probedDeclared;
  return hasHeuristics != 0 ? classifyHeuristic(path, end, segStart) : -1;
}

// Looks up the declared and heuristic prefix tables at every `/` of `[path, end)` that falls at the
// length of some key: the deepest declared hit (and its length, as `prefixLength`) into
// `probedDeclared`, the deepest heuristic hit (its value is the lowest on its chain) into `probedHeuristic`.
function probePrefixes(path: usize, end: usize): void {
  let declared: i32 = -1;
  let heuristic: i32 = NONE;
  const slashes = i8x16.splat(SLASH);
  for (let block = path; block < end; block += 16) {
    const o = <u32>(block - path);
    if (o >= prefixBitsLimit) break;
    let mask = <u32>i8x16.bitmask(i8x16.eq(v128.load(block), slashes));
    if (block + 16 > end) mask &= (<u32>1 << <u32>(end - block)) - 1;
    let dc = mask & <u32>load<u16>(declPrefixBits + (o >> 3));
    while (dc != 0) {
      const length = o + ctz(dc);
      dc &= dc - 1;
      const d = lookup(declPrefix, path, length);
      if (d >= 0) {
        declared = d;
        prefixLength = length;
      }
    }
    let hc = mask & <u32>load<u16>(hPrefixBits + (o >> 3));
    while (hc != 0) {
      const h = lookup(hPrefix, path, o + ctz(hc));
      hc &= hc - 1;
      if (h >= 0) heuristic = h;
    }
  }
  probedDeclared = declared;
  probedHeuristic = heuristic;
}

// The heuristic id of path `[path, end)` whose last segment starts at `segStart` (no declared rule
// matched): the lowest glob index among prefixes, exact paths, segment runs, last-segment names and
// the globs kept as patterns; -1 none, UNDECIDED when a pattern was too costly to match here.
function classifyHeuristic(path: usize, end: usize, segStart: usize): i32 {
  const length = <u32>(end - path);
  let best = probedHeuristic;
  const h = lookup(hPrefix, path, length);
  if (h >= 0) best = h;
  if (trieMask != 0) {
    const run = walkRuns(path, end);
    if (run < best) best = run;
  }
  const e = lookup(hExact, path, length);
  if (e >= 0 && e < best) best = e;
  const segLength = <u32>(end - segStart);
  if (segLength > 0) {
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
    if (headLength > length || !bytesEqual(path, load<u32>(entry, 4), headLength)) continue;
    const matched = matchGlobWithin(load<u32>(entry, 12), load<u32>(entry, 12) + (<usize>load<u32>(entry, 16)) * 12, path, end);
    if (matched < 0) return UNDECIDED;
    if (matched > 0) {
      best = index;
      break;
    }
  }
  return best == NONE ? -1 : entryBase + best;
}

// The lowest glob index a run of literal segments (`**/a/b/**`) completes at over the segments of
// `[path, end)`, walking the trie from every segment that may start one; NONE when none does.
function walkRuns(path: usize, end: usize): i32 {
  let run: i32 = NONE;
  let activeCount: u32 = 0;
  let segStart = path;
  const slashes = i8x16.splat(SLASH);
  for (let block = path; block < end; block += 16) {
    let mask = <u32>i8x16.bitmask(i8x16.eq(v128.load(block), slashes));
    if (block + 16 > end) mask &= (<u32>1 << <u32>(end - block)) - 1;
    while (mask != 0) {
      const p = block + <usize>ctz(mask);
      mask &= mask - 1;
      activeCount = stepRuns(activeCount, segStart, <u32>(p - segStart));
      const min = load<i32>(globScratch);
      if (min < run) run = min;
      segStart = p + 1;
    }
  }
  stepRuns(activeCount, segStart, <u32>(end - segStart));
  const min = load<i32>(globScratch);
  return min < run ? min : run;
}

// Advances the run walks by segment `[p, p+length)` (see `trieStep`); none go on past an empty
// segment, or from one no run starts with while none is under way.
@inline function stepRuns(activeCount: u32, p: usize, length: u32): u32 {
  if (length > 0 && (activeCount > 0 || mayStartRun(p, length))) return trieStep(activeCount, p, length);
  store<i32>(globScratch, NONE);
  return 0;
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

