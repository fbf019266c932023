import { SampledTable } from "./sampled-table.ts";

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
