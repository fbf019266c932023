import { SampledTable } from "./sampled-table.ts";

// With at most this many distinct prefix lengths each is tried; with more, the path's own `/` positions.
const FEW_LENGTHS = 12;
const SLASH = 47;

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
    // The constructor, not Int32Array.from: its first call compiles the engine's own code (~0.25 ms).
    this.byLength = new Int32Array(found);
    return this.byLength;
  }
}
