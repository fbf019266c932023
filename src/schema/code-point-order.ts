// The one code-point order of the project (spec §2.0): UTF-8 byte order equals Unicode code point
// order, the order of Rust `str`/`BTreeSet<String>` and Python `sorted`. It lives in schema because
// schema's own checks need it and every other module may import schema.

/** Compares two strings by Unicode code point, which is the order of their UTF-8 bytes (Rust `str` / `BTreeSet<String>` order). */
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

/** Returns a new array of the distinct strings in code-point order (a Rust `BTreeSet<String>`); the input is never modified. */
export function sortUnique(strings: Iterable<string>): string[] {
  const items = sortByCodePoint(Array.isArray(strings) ? (strings as string[]).slice() : [...strings]);
  // Sorting first and dropping neighbours that repeat costs less than hashing every item into a
  // Set; a Set argument is distinct already.
  return strings instanceof Set ? items : dropRepeats(items);
}

/**
 * Sorts strings in place by code point (UTF-8 byte order) and returns the array; `astral` says
 * whether any item holds a UTF-16 surrogate, when the caller already knows (it is scanned otherwise).
 */
export function sortByCodePoint(items: string[], astral: boolean = textHasSurrogate(items.join(""))): string[] {
  // Without surrogates UTF-16 unit order is code-point order, and the engine's comparator-free sort
  // is the fastest (1M generated paths: ~1.7 s against ~2.5 s for the multikey sort below); the
  // native sort is not adaptive, so a list that arrives sorted is recognised in one pass instead.
  if (!astral) return isAscending(items) ? items : items.sort();
  // With surrogates a comparator sort is needed, and JavaScriptCore's comparator sort is slow on
  // large inputs (1M paths: ~6 s); a multikey quicksort on code points reads each character once
  // per partitioning level with no comparator calls (~2.5 s).
  if (firstUnsortedIndex(items, false) >= 0) multikeySort(items, 0, items.length, 0);
  return items;
}

/** Whether a text holds a UTF-16 surrogate (an astral character or a lone surrogate). */
export function textHasSurrogate(text: string): boolean {
  // The Latin-1 test is several times faster than the surrogate class on long texts.
  return !LATIN1.test(text) && SURROGATE.test(text);
}

/** Whether a string holds a UTF-16 unit at or above U+D800, where UTF-16 and code-point order may differ. */
export function hasHighUnits(s: string): boolean {
  // A string whose UTF-8 length equals its UTF-16 length is ASCII: the common case, answered natively.
  return Buffer.byteLength(s, "utf8") !== s.length && HIGH_UNITS.test(s);
}

/**
 * The index of the first element not after its predecessor in code-point order (`strict`: equal
 * neighbours count as out of order, as in a set), or -1 when the list is sorted.
 */
export function firstUnsortedIndex(items: readonly string[], strict: boolean = true): number {
  const limit = strict ? 0 : 1;
  for (let i = 1; i < items.length; i++) {
    const previous = items[i - 1] as string;
    const current = items[i] as string;
    // Native `<` is UTF-16 order; it can only disagree with code-point order where the earlier
    // string holds high units, so confirm those pairs with the exact comparator.
    if (!(previous < current)) {
      if (compareCodePoints(previous, current) >= limit) return i;
    } else if (hasHighUnits(previous) && compareCodePoints(previous, current) >= limit) return i;
  }
  return -1;
}

/** Whether the strings are strictly ascending in code-point order (a sorted set, as surfaces are written). */
export function isStrictlyAscending(values: readonly string[]): boolean {
  return firstUnsortedIndex(values) < 0;
}

// --- internal ---

const SURROGATE = /[\uD800-\uDFFF]/;
const LATIN1 = /^[\x00-\xff]*$/;
const HIGH_UNITS = /[\ud800-\uffff]/;

// UTF-16 units sort surrogates (astral code points) below U+E000–U+FFFF; code points sort them
// above. Moving surrogates up by 0x2000 and U+E000–U+FFFF down by 0x800 restores code-point order
// at the first differing unit (the usual UTF-16 "code point order" fix-up).
function fixup(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

// Surrogate-free lists only: UTF-16 order is code-point order there.
function isAscending(items: readonly string[]): boolean {
  for (let i = 1; i < items.length; i++) if ((items[i - 1] as string) > (items[i] as string)) return false;
  return true;
}

function dropRepeats(sorted: string[]): string[] {
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) {
    const item = sorted[i] as string;
    if (kept === 0 || item !== sorted[kept - 1]) sorted[kept++] = item;
  }
  sorted.length = kept;
  return sorted;
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
    const first = a[lo] as string;
    if (first.length >= depth + JUMP && key(a[hi - 1] as string, depth) === key(first, depth)) {
      const stem = first.slice(depth, depth + JUMP);
      let i = lo + 1;
      while (i < hi && (a[i] as string).startsWith(stem, depth)) i++;
      if (i === hi) {
        depth += JUMP;
        continue;
      }
    }
    const x = key(a[lo] as string, depth);
    const y = key(a[(lo + hi) >>> 1] as string, depth);
    const z = key(a[hi - 1] as string, depth);
    const pivot = x < y ? (y < z ? y : Math.max(x, z)) : x < z ? x : Math.max(y, z);
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const k = key(a[i] as string, depth);
      if (k < pivot) {
        const t = a[lt] as string;
        a[lt++] = a[i] as string;
        a[i++] = t;
      } else if (k > pivot) {
        const t = a[gt] as string;
        a[gt--] = a[i] as string;
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
    const value = a[i] as string;
    let j = i - 1;
    while (j >= lo && compareFrom(a[j] as string, value, depth) > 0) {
      a[j + 1] = a[j] as string;
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
