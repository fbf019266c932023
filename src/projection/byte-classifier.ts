import { instantiateByteCore, type ByteCoreExports } from "./_byte-core-module.ts";
import { layoutByteTables, countsPointer } from "./byte-tables.ts";
import { classifyPath, classifyPathId } from "./classify-path.ts";
import type { CompiledRules } from "./compile-rules.ts";

/**
 * The byte-level projection core: classifies lines held in its input buffer (one path per line, a
 * trailing `\r` dropped, empty lines skipped) straight from their bytes, with answers equal to
 * `classifyPathId` on the decoded line. Strings are made only for lines the caller asks for and for
 * the few the core leaves to the string engine (invalid UTF-8, a glob kept as a pattern). Create
 * with `ByteClassifier.create`; undefined when the rules cannot be held as bytes.
 */
export class ByteClassifier {
  private inputPtr = 0;
  private inputCapacity = 0;
  // Per-scan outputs, sized for the longest scan so far: at most one line per two bytes, plus one.
  private rowsPtr = 0;
  private candidatesPtr = 0;
  private fallbacksPtr = 0;
  private scratchLines = 0;
  private outPtr = 0;
  private rowsAt = 0;
  private onInvalidUtf8: (() => never) | undefined;
  private rowCount = 0;
  private outCapacity = 0;
  private thresholdPtr = 0;
  private thresholdCapacity = 0;
  private thresholdValue: string | undefined;
  private thresholdLength = 0;
  private readonly countsPtr: number;

  private constructor(
    readonly compiled: CompiledRules,
    private readonly core: ByteCoreExports,
    countsAt: number,
    private readonly outFixed: number,
  ) {
    this.countsPtr = countsAt;
  }

  /**
   * A classifier for `compiled`, or undefined when a rule cannot be matched as UTF-8 bytes. With
   * `onInvalidUtf8` a line that is not UTF-8 calls it (it throws) instead of being decoded with U+FFFD.
   */
  static create(compiled: CompiledRules, options: ByteClassifierOptions = {}): ByteClassifier | undefined {
    const tables = layoutByteTables(compiled);
    if (tables === undefined) return undefined;
    const core = instantiateByteCore();
    // The block is laid out once, at offset 0: copied to where the core put it, its addresses moved by as much.
    const base = core.alloc(tables.bytes.length);
    if (base % 4 !== 0) throw new Error("projection byte core: tables not 4-aligned");
    new Uint8Array(core.memory.buffer).set(tables.bytes, base);
    const words = new Uint32Array(core.memory.buffer);
    for (const at of tables.pointers) words[(base + at) >>> 2]! += base;
    core.configure(base + tables.config);
    const classifier = new ByteClassifier(compiled, core, base + countsPointer(tables), tables.outFixed);
    classifier.onInvalidUtf8 = options.onInvalidUtf8;
    return classifier;
  }

  /**
   * Grows the core's memory once to `bytes` more than it uses (untouched pages cost no memory), so
   * later buffers need no growth: each growth may copy the whole memory, briefly holding it twice.
   */
  reserve(bytes: number): void {
    this.core.free(this.core.alloc(bytes));
  }

  /** The input buffer (at least `size` bytes); contents are kept when it grows. Valid until the next call that may grow memory. */
  input(size: number): Uint8Array {
    if (size > this.inputCapacity) {
      const capacity = Math.max(size, this.inputCapacity * 2, 256);
      // 32 readable bytes past the end: the core loads 16 bytes at a time, and compares operations near the end.
      const ptr = this.core.alloc(capacity + 32);
      const memory = new Uint8Array(this.core.memory.buffer);
      memory.copyWithin(ptr, this.inputPtr, this.inputPtr + this.inputCapacity);
      if (this.inputCapacity > 0) this.core.free(this.inputPtr);
      this.inputPtr = ptr;
      this.inputCapacity = capacity;
    }
    return new Uint8Array(this.core.memory.buffer, this.inputPtr, this.inputCapacity);
  }

  /**
   * Classifies the complete lines of input `[from, to)` (all of it when `final`, else up to the last
   * newline), calling `visit(start, end, id)` per line (offsets into the input buffer; id as
   * `classifyPathId`). Returns where the unconsumed tail starts.
   */
  classifyRange(from: number, to: number, final: boolean, visit: (start: number, end: number, id: number) => void): number {
    const core = this.core;
    let pos = from;
    while (pos < to) {
      const len = this.windowLength(pos, to, final);
      if (len === 0) break;
      const last = pos + len >= to && final ? 1 : 0;
      this.reserveScratch(len);
      const consumed = core.scan(this.inputPtr + pos, len, last, this.rowsPtr, 0, 0, 0, 0);
      const count = core.lines();
      const rows = new Int32Array(core.memory.buffer, this.rowsPtr, count * 3);
      for (let i = 0; i < count; i++) {
        const start = pos + rows[3 * i]!;
        const end = pos + rows[3 * i + 1]!;
        const id = rows[3 * i + 2]!;
        visit(start, end, id === UNDECIDED ? this.decideByString(start, end) : id);
      }
      if (consumed === 0) break;
      pos += consumed;
    }
    return pos;
  }

  /** Writes the id of each line of input `[from, to)` (all of it, as `classifyRange`) into `out`; returns the line count. */
  classifyIds(from: number, to: number, out: Int32Array): number {
    const core = this.core;
    let n = 0;
    for (let pos = from; pos < to; ) {
      const len = this.windowLength(pos, to, true);
      this.reserveScratch(len);
      const consumed = core.scan(this.inputPtr + pos, len, pos + len >= to ? 1 : 0, this.rowsPtr, 0, 0, 0, 0);
      const count = core.lines();
      const rows = new Int32Array(core.memory.buffer, this.rowsPtr, count * 3);
      for (let i = 0; i < count; i++) {
        const id = rows[3 * i + 2]!;
        out[n++] = id === UNDECIDED ? this.decideByString(pos + rows[3 * i]!, pos + rows[3 * i + 1]!) : id;
      }
      if (consumed === 0) break;
      pos += consumed;
    }
    return n;
  }

  /**
   * Writes the ndjson record of each complete line of input `[from, to)` (everything when `final`),
   * byte for byte `JSON.stringify(classifyPath(line))` and a newline, to `sink`; the records are
   * made from the bytes, no string per line. Returns where the unconsumed tail starts.
   */
  ndjsonRange(from: number, to: number, final: boolean, sink: NdjsonSink): number {
    const core = this.core;
    let pos = from;
    while (pos < to) {
      const len = this.windowLength(pos, to, final);
      if (len === 0) break;
      const last = pos + len >= to && final ? 1 : 0;
      this.reserveScratch(len);
      this.reserveOut(len);
      const consumed = core.emit(this.inputPtr + pos, len, last, this.outPtr, this.outCapacity, this.fallbacksPtr);
      const written = core.outLength();
      const fallbacks = new Uint32Array(core.memory.buffer, this.fallbacksPtr, core.fallbacksNoted() * 3).slice();
      let done = 0;
      for (let i = 0; i < fallbacks.length; i += 3) {
        const at = fallbacks[i]!;
        if (at > done) sink.bytes(new Uint8Array(core.memory.buffer, this.outPtr + done, at - done));
        done = at;
        sink.text(`${JSON.stringify(classifyPath(this.decoded(pos + fallbacks[i + 1]!, pos + fallbacks[i + 2]!), this.compiled))}\n`);
      }
      if (written > done) sink.bytes(new Uint8Array(core.memory.buffer, this.outPtr + done, written - done));
      if (consumed === 0) break;
      pos += consumed;
    }
    return pos;
  }

  /**
   * Classifies every line of input `[0, length)` in one pass and marks lines that repeat an earlier
   * one: (start, end, id) per line, id REPEATED for repeats and UNDECIDED where the string engine must
   * decide (for invalid UTF-8 among them: `isUtf8`). The rows stay in the core's memory (a million
   * lines are 12 MB): `rows()` views them until the next `distinctRows`.
   */
  distinctRows(length: number): number {
    const core = this.core;
    const n = core.countNewlines(this.inputPtr, length) + 1;
    // Room for a long sample threshold first: no allocation may move memory while the rows are read.
    this.threshold("x".repeat(4096));
    this.thresholdValue = undefined;
    this.rowsAt = core.alloc(n * 12);
    core.scan(this.inputPtr, length, 1, this.rowsAt, 0, 0, 0, 0);
    this.rowCount = core.lines();
    const keys = core.alloc(this.rowCount * 8 + 8);
    const spare = core.alloc(this.rowCount * 8 + 8);
    core.markRepeats(this.inputPtr, this.rowsAt, this.rowCount, keys, spare);
    return this.rowCount;
  }

  /** The rows of the last `distinctRows` (start, end, id per line); fetch again after any call that may allocate. */
  rows(): Int32Array {
    return new Int32Array(this.core.memory.buffer, this.rowsAt, this.rowCount * 3);
  }

  /** Whether input bytes `[start, end)` sort before `value` in byte order (code-point order); always when `value` is undefined. */
  isBelow(start: number, end: number, value: string | undefined): boolean {
    if (value === undefined) return true;
    this.threshold(value);
    return this.core.lessThan(this.inputPtr + start, this.inputPtr + end, this.thresholdPtr, this.thresholdLength) !== 0;
  }

  /** Whether input bytes `[start, end)` are well-formed UTF-8. */
  isUtf8(start: number, end: number): boolean {
    try {
      FATAL.decode(new Uint8Array(this.core.memory.buffer, this.inputPtr + start, end - start));
      return true;
    } catch {
      return false;
    }
  }

  /** Decodes input bytes `[start, end)` as the line reader did (invalid UTF-8 as U+FFFD). */
  text(start: number, end: number): string {
    return DECODER.decode(new Uint8Array(this.core.memory.buffer, this.inputPtr + start, end - start));
  }

  /**
   * Counts the complete lines of input `[from, to)` into `tally` (as `classifyRange`, without a call
   * per line): per rule in the core, unmatched ones with only the sample candidates decoded.
   */
  tallyRange(from: number, to: number, final: boolean, tally: TallySink): number {
    const core = this.core;
    let pos = from;
    while (pos < to) {
      const len = this.windowLength(pos, to, final);
      if (len === 0) break;
      const last = pos + len >= to && final ? 1 : 0;
      this.reserveScratch(len);
      const threshold = tally.threshold();
      this.threshold(threshold);
      const consumed = core.scan(
        this.inputPtr + pos,
        len,
        last,
        0,
        this.candidatesPtr,
        this.fallbacksPtr,
        this.thresholdPtr,
        threshold === undefined ? EMPTY : this.thresholdLength,
      );
      tally.count(core.lines(), core.unmatched());
      const candidates = new Uint32Array(core.memory.buffer, this.candidatesPtr, core.candidatesNoted() * 2);
      for (let i = 0; i < candidates.length; i += 2) tally.offerSample(this.text(pos + candidates[i]!, pos + candidates[i + 1]!));
      const fallbacks = new Uint32Array(core.memory.buffer, this.fallbacksPtr, core.fallbacksNoted() * 2);
      for (let i = 0; i < fallbacks.length; i += 2) {
        const raw = this.decoded(pos + fallbacks[i]!, pos + fallbacks[i + 1]!);
        tally.fallback(raw, classifyPathId(raw, this.compiled));
      }
      if (consumed === 0) break;
      pos += consumed;
    }
    return pos;
  }

  /** Per-rule counts the core has made in `tallyRange` calls (indexed like `compiled.entries`). */
  ruleCounts(): Float64Array {
    return new Float64Array(this.core.memory.buffer, this.countsPtr, this.compiled.entries.length).slice();
  }

  // Makes the per-scan outputs hold the lines of `len` bytes (a one-byte line and its newline each, plus one).
  private reserveScratch(len: number): void {
    const lines = (len >>> 1) + 1;
    if (lines <= this.scratchLines) return;
    const n = Math.max(lines, Math.min(this.scratchLines * 2, WINDOW / 2 + 1));
    this.rowsPtr = this.core.alloc(n * 12);
    this.candidatesPtr = this.core.alloc(n * 8);
    this.fallbacksPtr = this.core.alloc(n * 12);
    this.scratchLines = n;
  }

  // Makes the ndjson output hold at least the longest line of `len` bytes (escaped twice) and its fixed parts.
  private reserveOut(len: number): void {
    const needed = Math.max(len * 12 + this.outFixed, 4 << 20);
    if (needed <= this.outCapacity) return;
    this.outPtr = this.core.alloc(needed);
    this.outCapacity = needed;
  }

  // How much of input [pos, to) one scan takes: a window, stretched to the end of a longer line.
  private windowLength(pos: number, to: number, final: boolean): number {
    if (to - pos <= WINDOW) return to - pos;
    const memory = new Uint8Array(this.core.memory.buffer, this.inputPtr, to);
    const lastNewline = memory.lastIndexOf(NEWLINE, pos + WINDOW - 1);
    if (lastNewline >= pos) return lastNewline + 1 - pos;
    // One line longer than a window: it alone.
    const next = memory.indexOf(NEWLINE, pos + WINDOW);
    return next < 0 ? (final ? to - pos : 0) : next + 1 - pos;
  }

  // Puts the threshold string's bytes in core memory (`thresholdPtr`, `thresholdLength`); no object
  // per call: `isBelow` runs once per unmatched line.
  private threshold(value: string | undefined): void {
    if (value === undefined || value === this.thresholdValue) return;
    const bytes = ENCODER.encode(value);
    if (bytes.length > this.thresholdCapacity) {
      this.thresholdCapacity = Math.max(bytes.length, 256);
      this.thresholdPtr = this.core.alloc(this.thresholdCapacity);
    }
    new Uint8Array(this.core.memory.buffer).set(bytes, this.thresholdPtr);
    this.thresholdValue = value;
    this.thresholdLength = bytes.length;
  }

  private decideByString(start: number, end: number): number {
    return classifyPathId(this.decoded(start, end), this.compiled);
  }

  // A line the core left to the string engine, decoded; one that is not UTF-8 goes to `onInvalidUtf8` when set.
  private decoded(start: number, end: number): string {
    if (this.onInvalidUtf8 !== undefined && !this.isUtf8(start, end)) this.onInvalidUtf8();
    return this.text(start, end);
  }
}

/** How a `ByteClassifier` treats input that is not UTF-8. */
export interface ByteClassifierOptions {
  /** Called (and must throw) for a line that is not UTF-8; without it such a line is decoded with U+FFFD. */
  readonly onInvalidUtf8?: () => never;
}

/** Where `ndjsonRange` writes: record bytes (valid only during the call: copy to keep), and records made as strings. */
export interface NdjsonSink {
  bytes(chunk: Uint8Array): void;
  text(records: string): void;
}

/** What `tallyRange` reports to: counts, sample candidates, and lines the string engine decided. */
export interface TallySink {
  /** The largest kept sample once the keeper is full (only smaller unmatched lines are offered), else undefined. */
  threshold(): string | undefined;
  /** Lines classified by the core in one scan (fallbacks included), and how many of them it found unmatched. */
  count(lines: number, unmatched: number): void;
  offerSample(raw: string): void;
  /** A line the core left to the string engine, with the id that engine gave it. */
  fallback(raw: string, id: number): void;
}

// --- internal ---

const WINDOW = 1 << 18;
const NEWLINE = 10;
/** A line's id when the string engine must decide it (`classifyRange` and `classifyIds` never return it). */
export const UNDECIDED = -2;
/** A line's id in `distinctRows` when an earlier line is the same. */
export const REPEATED = -4;
const EMPTY = 0xffffffff;
const ENCODER = new TextEncoder();
// As the string line reader: invalid UTF-8 becomes U+FFFD; a BOM inside the input is kept.
const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });
const FATAL = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
