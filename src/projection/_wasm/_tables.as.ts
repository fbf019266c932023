// AssemblyScript (see byte-core.as.ts): the configuration the host wrote (table descriptors, operations,
// output fragments) and the lookups over it.

import { bytesEqual, filterBit, hashBytes, mix } from "./_bytes.as";

const NONE: i32 = 0x7fffffff;
const ROOT: u32 = 0xffffffff;
const SLASH: u8 = 47;
const EMPTY: u32 = 0xffffffff;

// Configuration words (u32) written by the host at `config`; see byte-tables.ts for their order.
// Tables are descriptors (slots, mask, filter, longest key); see `lookup`.
export let declExact: usize = 0;
export let declPrefix: usize = 0;
export let hExact: usize = 0;
export let hPrefix: usize = 0;
export let trie: usize = 0;
export let trieMask: u32 = 0;
export let nodeMin: usize = 0;
export let nodeParent: usize = 0;
export let nodeHasChildren: usize = 0;
export let basenames: usize = 0;
export let globCount: u32 = 0;
export let globs: usize = 0;
export let entryBase: i32 = 0;
export let hasHeuristics: u32 = 0;
export let opCount: u32 = 0;
export let ops: usize = 0;
export let counts: usize = 0;
export let active: usize = 0;
export let nextActive: usize = 0;
export let globScratch: usize = 0;
export let runStarts: usize = 0;
// ndjson output: per entry (projected text, tail, kind), the fixed fragments, the largest fixed part.
export let entryOut: usize = 0;
export let rawHead: usize = 0;
export let rawHeadLength: usize = 0;
export let projectedHead: usize = 0;
export let projectedHeadLength: usize = 0;
export let unmatchedTail: usize = 0;
export let unmatchedTailLength: usize = 0;
export let workdir: usize = 0;
export let workdirLength: usize = 0;
export let outFixed: usize = 0;

// A bit per path length up to `prefixBitsLimit` (exclusive, a multiple of 16): whether a declared
// (heuristic) prefix key has that length.
export let declPrefixBits: usize = 0;
export let hPrefixBits: usize = 0;
export let prefixBitsLimit: u32 = 0;
// The union of both: whether any prefix key has that length.
export let prefixBits: usize = 0;
/** The lowest glob index a run completed at in the last `trieStep`. */
export let runMin: i32 = 0x7fffffff;

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
  declPrefixBits = load<u32>(config, 160);
  hPrefixBits = load<u32>(config, 164);
  prefixBitsLimit = load<u32>(config, 168);
  prefixBits = load<u32>(config, 172);
}

// Where the path part starts: after `op:` when the line starts with one of the operations followed
// by `:/`, else 0. Split at the first `:` only. `end` bounds the line or the buffer: a `\n` before
// it never matches an operation's letters, `:` or `/`.
export function operationOffset(start: usize, end: usize): usize {
  if (start == end || load<u8>(start) == SLASH) return 0;
  for (let i: u32 = 0; i < opCount; i++) {
    const entry = ops + (<usize>i << 3);
    const length = <usize>load<u32>(entry, 4);
    if (start + length + 1 >= end) continue;
    if (load<u8>(start + length) != 58 || load<u8>(start + length + 1) != SLASH) continue;
    if (!bytesEqual(start, load<u32>(entry), length)) continue;
    // The first `:` must be this one: operations hold no `:`, so none came before.
    return length + 1;
  }
  return 0;
}

// A table is a descriptor: slots, mask (0: empty table), a 64 Ki-bit filter over (length, first two
// bytes, last byte), the longest key's length and a byte per length (1: some key has it); the
// length and the filter reject most probes before any hashing.
// Slots are open addressing, 16 bytes each (hash, key pointer, key length or EMPTY, value).
export function lookup(descriptor: usize, key: usize, length: u32): i32 {
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
    if (slotLength == length && load<u32>(slot) == hash && bytesEqual(load<u32>(slot, 4), key, length)) return load<i32>(slot, 12);
    i = (i + 1) & mask;
  }
}

// Whether a run may start with segment `[p, p+length)`: its (length, first byte) is marked.
@inline export function mayStartRun(p: usize, length: u32): bool {
  const first = <u32>load<u8>(p);
  return length >= 64 || first >= 128 || load<u8>(runStarts + ((length << 7) | first)) != 0;
}

// The trie node of segment `[key, key+length)` (its hash `segHash`) under `parent`, or -1.
function trieLookup(parent: u32, segHash: u32, key: usize, length: u32): i32 {
  const h = segHash ^ (parent * 0x9e3779b1);
  let i = mix(h) & trieMask;
  while (true) {
    const slot = trie + (<usize>i << 4);
    const slotLength = load<u32>(slot, 8);
    if (slotLength == EMPTY) return -1;
    if (slotLength == length && load<u32>(slot) == h) {
      const node = load<i32>(slot, 12);
      if (load<u32>(nodeParent + (<usize>node << 2)) == parent && bytesEqual(load<u32>(slot, 4), key, length)) return node;
    }
    i = (i + 1) & trieMask;
  }
}

// Advances every run walk by one segment (and starts one at it when a run may start there); writes
// the lowest glob index a run completed at into the scratch word; returns the number of walks still going.
export function trieStep(count: u32, key: usize, length: u32): u32 {
  let min: i32 = NONE;
  let next: u32 = 0;
  // The segment is hashed once; each walk (and a new one from the root, when a run may start here) mixes in its parent.
  const segHash = hashBytes(key, length, 0);
  const walks = mayStartRun(key, length) ? count + 1 : count;
  for (let k: u32 = 0; k < walks; k++) {
    const parent = k < count ? load<u32>(active + (<usize>k << 2)) : ROOT;
    const node = trieLookup(parent, segHash, key, length);
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
