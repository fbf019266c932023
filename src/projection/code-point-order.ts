/** Compares two strings by Unicode code point (= UTF-8 byte order, Rust `BTreeSet`/Python `sorted`). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // UTF-16 order differs from code-point order only between a surrogate and U+E000–U+FFFF.
      if (x >= 0xd800 && y >= 0xd800) return fixup(x) - fixup(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Returns a new array of the distinct strings in code-point order; the input is never modified. */
export function sortUniqueCodePoints(values: Iterable<string>): string[] {
  const copy = Array.isArray(values) ? (values as string[]).slice() : Array.from(values);
  if (isStrictlyAscending(copy)) return copy;
  // Multikey quicksort on code points: each character is read once per partitioning level, with
  // no comparator calls (JavaScriptCore's Array#sort takes seconds for a million paths).
  multikeySort(copy, 0, copy.length, 0);
  return dropAdjacentDuplicates(copy);
}

/** Whether a string holds a UTF-16 unit at or above U+D800, where UTF-16 and code-point order may differ. */
export function hasHighUnits(s: string): boolean {
  // A string whose UTF-8 length equals its UTF-16 length is ASCII: the common case, answered natively.
  return Buffer.byteLength(s, "utf8") !== s.length && HIGH_UNITS.test(s);
}

/** Whether the strings are strictly ascending in code-point order (a sorted set, as surfaces are written). */
export function isStrictlyAscending(values: readonly string[]): boolean {
  for (let i = 1; i < values.length; i++) {
    const previous = values[i - 1]!;
    const current = values[i]!;
    // Native `<` is UTF-16 order; it can only disagree with code-point order where both strings
    // hold high units, so confirm those pairs with the exact comparator.
    if (!(previous < current)) {
      if (compareCodePoints(previous, current) >= 0) return false;
    } else if (hasHighUnits(previous) && compareCodePoints(previous, current) >= 0) return false;
  }
  return true;
}

// --- internal ---

const HIGH_UNITS = /[\ud800-\uffff]/;

function fixup(unit: number): number {
  // Surrogates (astral code points) sort after the BMP's U+E000–U+FFFF.
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

const SMALL = 16;
const JUMP = 16;

function key(s: string, depth: number): number {
  if (depth >= s.length) return -1;
  const unit = s.charCodeAt(depth);
  return unit >= 0xd800 ? fixup(unit) : unit;
}

function multikeySort(a: string[], lo: number, hi: number, depth: number): void {
  while (hi - lo > SMALL) {
    // Paths share long stems: skip 16 characters at once while the whole range shares them
    // (one native comparison per string instead of 16 partitioning passes).
    const first = a[lo]!;
    if (first.length >= depth + JUMP && key(a[hi - 1]!, depth) === key(first, depth)) {
      const stem = first.slice(depth, depth + JUMP);
      let i = lo + 1;
      while (i < hi && a[i]!.startsWith(stem, depth)) i++;
      if (i === hi) {
        depth += JUMP;
        continue;
      }
    }
    const x = key(a[lo]!, depth);
    const y = key(a[(lo + hi) >>> 1]!, depth);
    const z = key(a[hi - 1]!, depth);
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const k = key(a[i]!, depth);
      if (k < pivot) {
        const t = a[lt]!;
        a[lt++] = a[i]!;
        a[i++] = t;
      } else if (k > pivot) {
        const t = a[gt]!;
        a[gt--] = a[i]!;
        a[i] = t;
      } else i++;
    }
    multikeySort(a, lo, lt, depth);
    multikeySort(a, gt + 1, hi, depth);
    if (pivot < 0) return;
    lo = lt;
    hi = gt + 1;
    depth++;
  }
  for (let i = lo + 1; i < hi; i++) {
    const value = a[i]!;
    let j = i - 1;
    while (j >= lo && compareFrom(a[j]!, value, depth) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = value;
  }
}

function compareFrom(a: string, b: string, depth: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = depth; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? fixup(x) - fixup(y) : x - y;
  }
  return a.length - b.length;
}

function dropAdjacentDuplicates(sorted: string[]): string[] {
  let write = 0;
  for (let read = 0; read < sorted.length; read++) {
    const value = sorted[read]!;
    if (write === 0 || sorted[write - 1] !== value) sorted[write++] = value;
  }
  sorted.length = write;
  return sorted;
}
