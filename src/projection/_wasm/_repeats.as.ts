// AssemblyScript (see byte-core.as.ts): finding repeated lines.

import { bytesEqual, hashBytes } from "./_bytes.as";

const REPEATED: i32 = -4;
const radixCounts: usize = memory.data(2048 * 4, 16);

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
        if (load<u32>(other, 4) - load<u32>(other) == length && bytesEqual(buf + <usize>load<u32>(other), buf + <usize>start, length)) {
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
