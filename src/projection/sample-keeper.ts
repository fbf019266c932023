import { compareCodePoints, hasHighUnits } from "../schema/index.ts";

/** Keeps the `limit` smallest distinct strings offered, in code-point order. */
export class SampleKeeper {
  private readonly kept: string[] = [];
  private worstIsHigh = false;

  constructor(private readonly limit: number) {}

  /** Offers one value. */
  offer(value: string): void {
    const kept = this.kept;
    if (this.limit === 0) return;
    if (kept.length === this.limit) {
      const worst = kept[kept.length - 1]!;
      // Native comparison is exact unless the kept maximum holds a unit at or above U+D800.
      if (this.worstIsHigh ? compareCodePoints(value, worst) >= 0 : !(value < worst)) return;
    }
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCodePoints(kept[mid]!, value) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (kept[lo] === value) return;
    kept.splice(lo, 0, value);
    if (kept.length > this.limit) kept.pop();
    this.worstIsHigh = hasHighUnits(kept[kept.length - 1]!);
  }

  /** The largest kept value once `limit` values are kept (only smaller ones can still enter), else undefined. */
  threshold(): string | undefined {
    return this.kept.length === this.limit ? (this.kept[this.limit - 1] ?? "") : undefined;
  }

  /** The kept values, smallest first. */
  values(): string[] {
    return [...this.kept];
  }
}
