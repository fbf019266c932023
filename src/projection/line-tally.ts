import { ByteClassifier, type ByteClassifierOptions, type TallySink } from "./byte-classifier.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { tallySummary, type TallyCounts } from "./path-tally.ts";
import { SampleKeeper } from "./sample-keeper.ts";
import type { PathProjectionSummary } from "../schema/index.ts";

/**
 * `PathTally` over bytes: counts lines (one path each, as the line reader splits them) written into
 * its input buffer, with the byte core. The counts of several tallies over parts of one input
 * (split at line boundaries, e.g. one per CPU core) merge into the summary of the whole input.
 * Create with `LineTally.create`; undefined when the byte core cannot hold the rules.
 */
export class LineTally implements TallySink {
  private readonly fallbackPerRule: Float64Array;
  private readonly keeper: SampleKeeper;
  private unmatchedCount = 0;
  private lineCount = 0;
  private readonly merged: TallyCounts[] = [];

  private constructor(
    private readonly compiled: CompiledRules,
    private readonly classifier: ByteClassifier,
  ) {
    this.fallbackPerRule = new Float64Array(compiled.entries.length);
    this.keeper = new SampleKeeper(compiled.sampleLimit);
  }

  /** A tally for `compiled`, or undefined when the byte core cannot hold its rules. */
  static create(compiled: CompiledRules, options: ByteClassifierOptions = {}): LineTally | undefined {
    const classifier = ByteClassifier.create(compiled, options);
    return classifier && new LineTally(compiled, classifier);
  }

  /** The input buffer, at least `size` bytes (contents kept when it grows); valid until the next call. */
  input(size: number): Uint8Array {
    return this.classifier.input(size);
  }

  /** Counts the complete lines of input `[from, to)` (everything when `final`); returns where the unconsumed tail starts. */
  add(from: number, to: number, final: boolean): number {
    return this.classifier.tallyRange(from, to, final, this);
  }

  /** What this tally counted (merged tallies included). */
  counts(): TallyCounts {
    const perRule = this.classifier.ruleCounts();
    for (let id = 0; id < perRule.length; id++) perRule[id]! += this.fallbackPerRule[id]!;
    let unmatched = this.unmatchedCount;
    let inputCount = this.lineCount;
    for (const other of this.merged) {
      for (let id = 0; id < perRule.length; id++) perRule[id]! += other.perRule[id]!;
      unmatched += other.unmatched;
      inputCount += other.inputCount;
    }
    return { perRule: Array.from(perRule), unmatched, inputCount, samples: this.keeper.values() };
  }

  /** Adds the counts of another part of the same input. */
  merge(other: TallyCounts): void {
    this.merged.push({ ...other, samples: [] });
    for (const sample of other.samples) this.keeper.offer(sample);
  }

  /** The summary of everything counted (as `PathTally.summary` over the same lines). */
  summary(): PathProjectionSummary {
    return tallySummary(this.compiled, this.counts());
  }

  /** @internal */
  threshold(): string | undefined {
    return this.keeper.threshold();
  }

  /** @internal */
  count(lines: number, unmatched: number): void {
    this.lineCount += lines;
    this.unmatchedCount += unmatched;
  }

  /** @internal */
  offerSample(raw: string): void {
    this.keeper.offer(raw);
  }

  /** @internal */
  fallback(raw: string, id: number): void {
    if (id >= 0) this.fallbackPerRule[id]!++;
    else {
      this.unmatchedCount++;
      this.keeper.offer(raw);
    }
  }
}
