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
  // The native sort orders by UTF-16 code units, which is code-point order unless a value holds
  // a unit at or above U+D800; only then pay for the comparator.
  if (copy.some((s) => HIGH_UNITS.test(s))) copy.sort(compareCodePoints);
  else copy.sort();
  return dropAdjacentDuplicates(copy);
}

/** Whether a string holds a UTF-16 unit at or above U+D800, where UTF-16 and code-point order may differ. */
export function hasHighUnits(s: string): boolean {
  return HIGH_UNITS.test(s);
}

// --- internal ---

const HIGH_UNITS = /[\ud800-\uffff]/;

function fixup(unit: number): number {
  // Surrogates (astral code points) sort after the BMP's U+E000–U+FFFF.
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

function isStrictlyAscending(values: readonly string[]): boolean {
  let previous = values[0];
  if (previous === undefined) return true;
  let high = HIGH_UNITS.test(previous);
  for (let i = 1; i < values.length; i++) {
    const current = values[i]!;
    const currentHigh = high || HIGH_UNITS.test(current);
    if (currentHigh ? compareCodePoints(previous, current) >= 0 : !(previous < current)) return false;
    previous = current;
    high = HIGH_UNITS.test(current);
  }
  return true;
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
