// Over 400 lines on purpose: one block layout, its pieces written in one order beside the hashing and glob tokens the core reads back.
import type { CompiledRules } from "./compile-rules.ts";
import { globShape } from "./glob.ts";
import { OPERATIONS } from "./operation-split.ts";

/**
 * The byte core's tables, laid out as one block of little-endian words and bytes for its memory:
 * declared exact keys and workdir prefixes, the operations, and the heuristic globs by shape
 * (literal path, literal prefix, segment runs as a trie, last-segment names; the rest as pattern
 * heads the host decides). Keys are UTF-8; undefined when a rule holds a lone surrogate (its UTF-8
 * form would be U+FFFD and match paths the string engine does not).
 */
export interface ByteTables {
  /** The block, laid out as if at address 0 of the core's memory: copy it, then add its address to each word at `pointers`. */
  readonly bytes: Uint8Array;
  /** Byte offsets of the words inside `bytes` that hold addresses (4-aligned). */
  readonly pointers: readonly number[];
  /** Byte offsets of the configuration words inside `bytes`. */
  readonly config: number;
  /** How many run walks may be under way at once (the deepest run). */
  readonly maxDepth: number;
  /** The most bytes an ndjson record adds besides its line's escaped bytes. */
  readonly outFixed: number;
}

/**
 * Lays out the tables of `compiled` as one block, once: addresses in it are offsets from its start,
 * listed in `pointers` so that the caller relocates them to where the core allocated the block.
 */
export function layoutByteTables(compiled: CompiledRules): ByteTables | undefined {
  const { exact, prefixes, hExact, hPrefix, basenames, patterns, nodes } = ruleKeys(compiled);
  const strings = [
    ...exact.keys(),
    ...prefixes.keys(),
    ...hExact.keys(),
    ...hPrefix.keys(),
    ...basenames.keys(),
    ...patterns.map((p) => p.pattern),
    ...nodes.map((n) => n.segment),
  ];
  if (!strings.every((s) => s.isWellFormed())) return undefined;

  // Every piece is reserved in this order: the layout (and the core reading it) depends on it.
  const w = new BlockWriter();
  const keys = new KeyWriter(w);
  const declExact = writeTable(w, keys, exact);
  const declPrefix = writeTable(w, keys, prefixes);
  const hExactT = writeTable(w, keys, hExact);
  const hPrefixT = writeTable(w, keys, hPrefix);
  const baseT = writeTable(w, keys, basenames);
  const { trie, nodeMin, nodeParent, nodeHasChildren } = writeTrie(w, keys, nodes);
  const maxDepth = deepestRun(nodes);
  const globs = writeGlobs(w, keys, patterns);
  const ops = writeOperations(w, keys);
  const counts = w.reserve(compiled.entries.length * 8 + 8, 8);
  const active = w.reserve((maxDepth + 1) * 4, 4);
  const nextActive = w.reserve((maxDepth + 1) * 4, 4);
  const scratch = w.reserve(4, 4);
  const runStarts = writeRunStarts(w, keys, nodes);
  const { entryOut, rawHead, projectedHead, unmatchedTail, workdir, outFixed } = writeNdjsonFragments(w, keys, compiled);
  const bitsLimit = Math.ceil((Math.max(0, ...[...prefixes.keys(), ...hPrefix.keys()].map((s) => keys.utf8(s).length)) + 1) / 16) * 16;
  const declBits = writeLengthBits(w, keys, prefixes, bitsLimit);
  const hBits = writeLengthBits(w, keys, compiled.heuristicTables === undefined ? new Map() : hPrefix, bitsLimit);
  const anyBits = writeLengthBits(w, keys, compiled.heuristicTables === undefined ? prefixes : new Map([...prefixes, ...hPrefix]), bitsLimit);
  const heuristics = compiled.heuristicTables;
  const config = w.reserve(CONFIG_WORDS * 4, 4);
  // Addresses are wrapped ({ at }) so that they are relocated; the rest are plain values.
  const at = (offset: number) => ({ at: offset });
  // biome-ignore format: the CONFIG_WORDS words, grouped as the core reads them
  const words = [
    at(declExact.ptr), 0, at(declPrefix.ptr), 0, 0, 0,
    at(hExactT.ptr), 0, at(hPrefixT.ptr), 0, 0, 0,
    at(trie.ptr), trie.mask, at(nodeMin), at(nodeParent), at(nodeHasChildren), at(baseT.ptr), baseT.mask,
    patterns.length, at(globs), heuristics?.entryBase ?? 0, heuristics === undefined ? 0 : 1, OPERATIONS.length, at(ops),
    at(counts), at(active), at(nextActive), at(scratch), at(runStarts),
    at(entryOut), at(rawHead.ptr), rawHead.length, at(projectedHead.ptr), projectedHead.length,
    at(unmatchedTail.ptr), unmatchedTail.length, at(workdir.ptr), workdir.length, outFixed,
    at(declBits), at(hBits), bitsLimit, at(anyBits),
  ];
  words.forEach((word, i) => (typeof word === "number" ? w.u32(config + i * 4, word) : w.pointer(config + i * 4, word.at)));
  // Readable bytes after the last piece: the core reads keys eight bytes at a time.
  w.reserve(PADDING, 1);
  return { bytes: w.finish(), pointers: w.pointers, config, maxDepth, outFixed };
}

// --- the pieces of the block, in layout order ---

interface TrieNode {
  readonly parent: number;
  readonly segment: string;
  min: number;
  children: number;
}

interface GlobPattern {
  readonly index: number;
  readonly head: string;
  readonly pattern: string;
}

interface RuleKeys {
  readonly exact: Map<string, number>;
  readonly prefixes: Map<string, number>;
  readonly hExact: Map<string, number>;
  readonly hPrefix: Map<string, number>;
  readonly basenames: Map<string, number>;
  readonly patterns: GlobPattern[];
  readonly nodes: TrieNode[];
}

// The keys of every table: declared exact paths and prefixes, and the heuristic globs by shape.
function ruleKeys(compiled: CompiledRules): RuleKeys {
  const rules = compiled.rules;
  const exact = new Map<string, number>();
  let id = 0;
  // Ids in compileRules' order; a later rule for the same raw path replaces an earlier one.
  for (const raw of [...rules.workload.input, ...rules.workload.output, ...rules.workload.scratch, ...rules.paths.map((r) => r.raw_path)]) exact.set(raw, id++);
  const prefixes = new Map<string, number>();
  compiled.prefixes.forEach((prefix, value) => prefixes.set(prefix, value));

  const hExact = new Map<string, number>();
  const hPrefixFirst = new Map<string, number>();
  const basenames = new Map<string, number>();
  const patterns: GlobPattern[] = [];
  const nodes: TrieNode[] = [];
  const nodeOf = new Map<string, number>();
  compiled.heuristics.forEach((glob, index) => {
    const shape = globShape(glob.pattern);
    switch (shape.kind) {
      case "exact":
        if (!hExact.has(shape.literal)) hExact.set(shape.literal, index);
        break;
      case "prefix":
        if (!hPrefixFirst.has(shape.literal)) hPrefixFirst.set(shape.literal, index);
        break;
      case "segments": {
        let parent = ROOT;
        for (const segment of shape.segments) {
          const key = `${parent}\u0000${segment}`;
          let node = nodeOf.get(key);
          if (node === undefined) {
            node = nodes.length;
            nodes.push({ parent, segment, min: NONE, children: 0 });
            nodeOf.set(key, node);
            if (parent !== ROOT) nodes[parent]!.children++;
          }
          parent = node;
        }
        nodes[parent]!.min = Math.min(nodes[parent]!.min, index);
        break;
      }
      case "basename":
        if (!basenames.has(shape.name) || basenames.get(shape.name)! > index) basenames.set(shape.name, index);
        break;
      case "regex":
        patterns.push({ index, head: shape.head, pattern: glob.pattern });
        break;
    }
  });
  // As compileHeuristics: each prefix carries the lowest index on its chain of ancestors.
  const hPrefix = new Map<string, number>();
  for (const [prefix, index] of hPrefixFirst) {
    let lowest = index;
    for (let j = prefix.indexOf("/", 1); j > 0; j = prefix.indexOf("/", j + 1)) {
      const ancestor = hPrefixFirst.get(prefix.slice(0, j));
      if (ancestor !== undefined && ancestor < lowest) lowest = ancestor;
    }
    hPrefix.set(prefix, lowest);
  }
  patterns.sort((a, b) => a.index - b.index);
  return { exact, prefixes, hExact, hPrefix, basenames, patterns, nodes };
}

/** Writes each distinct string's UTF-8 bytes into the block once, at its first use. */
class KeyWriter {
  private readonly keyOf = new Map<string, { ptr: number; length: number }>();
  private readonly encoded = new Map<string, Uint8Array>();

  constructor(private readonly w: BlockWriter) {}

  /** Where `s`'s bytes are in the block. */
  key(s: string): { ptr: number; length: number } {
    let k = this.keyOf.get(s);
    if (!k) this.keyOf.set(s, (k = this.w.bytes(this.utf8(s))));
    return k;
  }

  /** `s` as UTF-8 (cached). */
  utf8(s: string): Uint8Array {
    let bytes = this.encoded.get(s);
    if (!bytes) this.encoded.set(s, (bytes = ENCODER.encode(s)));
    return bytes;
  }
}

// A descriptor: slots, mask (0 empty), filter bitmap, longest key length (see the core's `lookup`).
function writeTable(w: BlockWriter, keys: KeyWriter, entries: Map<string, number>): { ptr: number; mask: number } {
  const descriptor = w.reserve(20, 4);
  if (entries.size === 0) return { ptr: descriptor, mask: 0 };
  const filter = w.reserve(FILTER_BITS / 8, 1);
  let longest = 0;
  for (const s of entries.keys()) {
    const bytes = keys.utf8(s);
    longest = Math.max(longest, bytes.length);
    if (bytes.length === 0) continue;
    const bit = filterBit(bytes);
    w.u8(filter + (bit >>> 3), w.read8(filter + (bit >>> 3)) | (1 << (bit & 7)));
  }
  const lengths = w.reserve(longest + 1, 1);
  for (const s of entries.keys()) w.u8(lengths + keys.utf8(s).length, 1);
  const size = capacity(entries.size);
  const ptr = w.reserve(size * 16, 4);
  w.fill32(ptr, size * 4, EMPTY);
  for (const [s, value] of entries) {
    const k = keys.key(s);
    const hash = hashBytes(keys.utf8(s), 0);
    let i = mix(hash) & (size - 1);
    while (w.read32(ptr + i * 16 + 8) !== EMPTY) i = (i + 1) & (size - 1);
    w.u32(ptr + i * 16, hash);
    w.pointer(ptr + i * 16 + 4, k.ptr);
    w.u32(ptr + i * 16 + 8, k.length);
    w.u32(ptr + i * 16 + 12, value);
  }
  w.pointer(descriptor, ptr);
  w.u32(descriptor + 4, size - 1);
  w.pointer(descriptor + 8, filter);
  w.u32(descriptor + 12, longest);
  w.pointer(descriptor + 16, lengths);
  return { ptr: descriptor, mask: size - 1 };
}

// The trie: slots keyed by (parent, segment); per node its parent, lowest completed index and whether runs go on.
function writeTrie(
  w: BlockWriter,
  keys: KeyWriter,
  nodes: readonly TrieNode[],
): { trie: { ptr: number; mask: number }; nodeMin: number; nodeParent: number; nodeHasChildren: number } {
  let trie = { ptr: 0, mask: 0 };
  const nodeMin = w.reserve(nodes.length * 4 + 4, 4);
  const nodeParent = w.reserve(nodes.length * 4 + 4, 4);
  const nodeHasChildren = w.reserve(nodes.length + 1, 1);
  if (nodes.length > 0) {
    const size = capacity(nodes.length);
    trie = { ptr: w.reserve(size * 16, 4), mask: size - 1 };
    w.fill32(trie.ptr, size * 4, EMPTY);
    nodes.forEach((node, n) => {
      const k = keys.key(node.segment);
      // As the core's `trieLookup`: the segment's hash, its parent mixed in.
      const h = (hashBytes(keys.utf8(node.segment), 0) ^ Math.imul(node.parent >>> 0, 0x9e3779b1)) >>> 0;
      let i = mix(h) & trie.mask;
      while (w.read32(trie.ptr + i * 16 + 8) !== EMPTY) i = (i + 1) & trie.mask;
      w.u32(trie.ptr + i * 16, h);
      w.pointer(trie.ptr + i * 16 + 4, k.ptr);
      w.u32(trie.ptr + i * 16 + 8, k.length);
      w.u32(trie.ptr + i * 16 + 12, n);
      w.u32(nodeMin + n * 4, node.min);
      w.u32(nodeParent + n * 4, node.parent >>> 0);
      w.u8(nodeHasChildren + n, node.children > 0 ? 1 : 0);
    });
  }
  return { trie, nodeMin, nodeParent, nodeHasChildren };
}

// How many run walks may be under way at once: the deepest run.
function deepestRun(nodes: readonly TrieNode[]): number {
  let maxDepth = 1;
  for (const node of nodes) {
    let depth = 1;
    for (let p = node.parent; p !== ROOT; p = nodes[p]!.parent) depth++;
    maxDepth = Math.max(maxDepth, depth);
  }
  return maxDepth;
}

// Patterns: index, literal head, and the glob as tokens (see the core's `matchGlob`).
function writeGlobs(w: BlockWriter, keys: KeyWriter, patterns: readonly GlobPattern[]): number {
  const globs = w.reserve(patterns.length * 20 + 4, 4);
  patterns.forEach((p, i) => {
    const k = keys.key(p.head);
    const tokens = globTokens(p.pattern);
    const at = w.reserve(tokens.length * 12 + 4, 4);
    tokens.forEach((token, j) => {
      const literal = token.literal === undefined ? { ptr: 0, length: 0 } : keys.key(token.literal);
      w.u32(at + j * 12, token.kind);
      w.pointer(at + j * 12 + 4, literal.ptr);
      w.u32(at + j * 12 + 8, literal.length);
    });
    w.u32(globs + i * 20, p.index);
    w.pointer(globs + i * 20 + 4, k.ptr);
    w.u32(globs + i * 20 + 8, k.length);
    w.pointer(globs + i * 20 + 12, at);
    w.u32(globs + i * 20 + 16, tokens.length);
  });
  return globs;
}

function writeOperations(w: BlockWriter, keys: KeyWriter): number {
  const ops = w.reserve(OPERATIONS.length * 8, 4);
  OPERATIONS.forEach((op, i) => {
    const k = keys.key(op);
    w.pointer(ops + i * 8, k.ptr);
    w.u32(ops + i * 8 + 4, k.length);
  });
  return ops;
}

// (length, first byte) of the first segment of every run: most segments start none.
function writeRunStarts(w: BlockWriter, keys: KeyWriter, nodes: readonly TrieNode[]): number {
  const runStarts = w.reserve(64 * 128, 1);
  for (const node of nodes) {
    if (node.parent !== ROOT) continue;
    const bytes = keys.utf8(node.segment);
    if (bytes.length < 64 && bytes[0]! < 128) w.u8(runStarts + ((bytes.length << 7) | bytes[0]!), 1);
  }
  return runStarts;
}

interface NdjsonFragments {
  readonly entryOut: number;
  readonly rawHead: { ptr: number; length: number };
  readonly projectedHead: { ptr: number; length: number };
  readonly unmatchedTail: { ptr: number; length: number };
  readonly workdir: { ptr: number; length: number };
  readonly outFixed: number;
}

// ndjson records (classifyPath's fields, as JSON.stringify writes them): per entry the projected
// text (exact: the target; heuristic: the class) and the tail after it; the fixed fragments.
function writeNdjsonFragments(w: BlockWriter, keys: KeyWriter, compiled: CompiledRules): NdjsonFragments {
  const key = (s: string) => keys.key(s);
  // Many entries share their projected text and tail (one per rule name): each is made once.
  const texts = new Map<string, { ptr: number; length: number }>();
  const text = (s: string) => {
    let k = texts.get(s);
    if (!k) texts.set(s, (k = key(JSON.stringify(s).slice(1, -1))));
    return k;
  };
  const tails = new Map<string, { ptr: number; length: number }>();
  const entryOut = w.reserve(compiled.entries.length * 20 + 4, 4);
  let longestTail = 0;
  compiled.entries.forEach((entry, i) => {
    const projected = entry.kind === "exact" ? text(entry.target) : entry.kind === "heuristic" ? text(entry.path_class) : { ptr: 0, length: 0 };
    const fields = `${entry.path_class}\u0000${entry.relation}\u0000${entry.rule}\u0000${entry.confidence}`;
    let tail = tails.get(fields);
    if (!tail) {
      const tailText = `${JSON.stringify({ path_class: entry.path_class, relation: entry.relation, rule: entry.rule, confidence: entry.confidence, claim_level: "projected_equivalent" }).replace(/^\{/, '",')}\n`;
      tails.set(fields, (tail = key(tailText)));
    }
    longestTail = Math.max(longestTail, tail.length + projected.length);
    w.pointer(entryOut + i * 20, projected.ptr);
    w.u32(entryOut + i * 20 + 4, projected.length);
    w.pointer(entryOut + i * 20 + 8, tail.ptr);
    w.u32(entryOut + i * 20 + 12, tail.length);
    w.u32(entryOut + i * 20 + 16, entry.kind === "exact" ? 0 : entry.kind === "prefix" ? 1 : 2);
  });
  const rawHead = key('{"raw_path":"');
  const projectedHead = key('","projected_path":"');
  const unmatchedTail = key(
    `${JSON.stringify({ path_class: "unknown", relation: "unmatched", rule: "no_matching_rule", confidence: "unknown", claim_level: "raw_observed" }).replace(/^\{/, '",')}\n`,
  );
  const workdir = key("workdir/");
  const outFixed = rawHead.length + projectedHead.length + Math.max(unmatchedTail.length, longestTail) + 32;
  return { entryOut, rawHead, projectedHead, unmatchedTail, workdir, outFixed };
}

// A bit per length below `limit` (a multiple of 16): whether some key of `entries` has it (none has length 0).
function writeLengthBits(w: BlockWriter, keys: KeyWriter, entries: Map<string, number>, limit: number): number {
  const bits = w.reserve(limit / 8, 2);
  for (const s of entries.keys()) {
    const length = keys.utf8(s).length;
    if (length > 0) w.u8(bits + (length >>> 3), w.read8(bits + (length >>> 3)) | (1 << (length & 7)));
  }
  return bits;
}

/** Where the per-rule counts (f64) start, as an offset in the block: the config word 25. */
export function countsPointer(tables: ByteTables): number {
  return new DataView(tables.bytes.buffer, tables.bytes.byteOffset).getUint32(tables.config + 25 * 4, true);
}

// --- internal ---

const ROOT = -1;
const NONE = 0x7fffffff;
const EMPTY = 0xffffffff;
const CONFIG_WORDS = 44;
const PADDING = 16;
const ENCODER = new TextEncoder();
const FILTER_BITS = 1 << 16;

// The core's `filterBit`: length, first two bytes and last byte of a non-empty key.
function filterBit(key: Uint8Array): number {
  const n = key.length;
  const second = n > 1 ? key[1]! : 0;
  return ((Math.imul(n, 0x9e3779b1) ^ Math.imul(key[0]! | (second << 8), 0x85ebca6b) ^ Math.imul(key[n - 1]!, 0xc2b2ae35)) >>> 16) & 0xffff;
}

function capacity(n: number): number {
  let size = 4;
  while (size < n * 2) size *= 2;
  return size;
}

const LITERAL = 0;
const STAR = 1;
const ONE = 2;
const SEGMENTS = 3;
const TAIL = 4;
const ANY = 5;

// A glob as the core's tokens, read exactly as globToRegExp reads it.
function globTokens(pattern: string): { kind: number; literal?: string }[] {
  const tokens: { kind: number; literal?: string }[] = [];
  let literal = "";
  const push = (kind: number) => {
    if (literal !== "") tokens.push({ kind: LITERAL, literal });
    literal = "";
    tokens.push({ kind });
  };
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("**/", i) && (i === 0 || pattern[i - 1] === "/")) {
      push(SEGMENTS);
      i += 3;
    } else if (pattern[i] === "/" && i + 3 === pattern.length && pattern.endsWith("/**")) {
      push(TAIL);
      i += 3;
    } else if (pattern.startsWith("**", i)) {
      push(ANY);
      i += 2;
    } else if (pattern[i] === "*") {
      push(STAR);
      i += 1;
    } else if (pattern[i] === "?") {
      push(ONE);
      i += 1;
    } else {
      // Whole code points: a literal surrogate pair stays together.
      const c = String.fromCodePoint(pattern.codePointAt(i)!);
      literal += c;
      i += c.length;
    }
  }
  if (literal !== "") tokens.push({ kind: LITERAL, literal });
  return tokens;
}

// The core's `hashBytes`: two lanes of four little-endian bytes, the last 1–3 bytes as one short word.
function hashBytes(bytes: Uint8Array, seed: number): number {
  const n = bytes.length;
  let a = Math.imul(n ^ seed, 0x9e3779b1);
  let b = seed ^ 0x7f4a7c15;
  let p = 0;
  for (; p + 8 <= n; p += 8) {
    a = Math.imul(rotl(a ^ wordAt(bytes, p), 13), 0x85ebca6b);
    b = Math.imul(rotl(b ^ wordAt(bytes, p + 4), 17), 0xc2b2ae35);
  }
  if (p + 4 <= n) {
    a = Math.imul(rotl(a ^ wordAt(bytes, p), 13), 0x85ebca6b);
    p += 4;
  }
  if (p < n) {
    let w = 0;
    for (let k = 0; p < n; p++, k += 8) w |= bytes[p]! << k;
    b = Math.imul(rotl(b ^ w, 17), 0xc2b2ae35);
  }
  return (a ^ rotl(b, 16)) >>> 0;
}

function wordAt(bytes: Uint8Array, p: number): number {
  return bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Appends aligned pieces to a growing block, noting which words hold addresses (offsets in the block).
class BlockWriter {
  private buffer = new Uint8Array(1 << 12);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  readonly pointers: number[] = [];

  reserve(size: number, align: number): number {
    this.length = Math.ceil(this.length / align) * align;
    const at = this.length;
    this.length += size;
    if (this.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.length, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    return at;
  }

  bytes(data: Uint8Array): { ptr: number; length: number } {
    const ptr = this.reserve(data.length, 1);
    this.buffer.set(data, ptr);
    return { ptr, length: data.length };
  }

  u32(ptr: number, value: number): void {
    this.view.setUint32(ptr, value >>> 0, true);
  }

  // A word holding the address of `target` (an offset in the block until relocated).
  pointer(ptr: number, target: number): void {
    this.u32(ptr, target);
    this.pointers.push(ptr);
  }

  // `count` words of `value` from `ptr` (4-aligned).
  fill32(ptr: number, count: number, value: number): void {
    new Uint32Array(this.buffer.buffer, ptr, count).fill(value);
  }

  u8(ptr: number, value: number): void {
    this.buffer[ptr] = value;
  }

  read8(ptr: number): number {
    return this.buffer[ptr]!;
  }

  read32(ptr: number): number {
    return this.view.getUint32(ptr, true);
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
