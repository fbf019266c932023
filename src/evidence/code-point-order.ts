/** Compares two strings by Unicode code point, which is the order of their UTF-8 bytes (Rust `str` / `BTreeSet<String>` order). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return lift(x) - lift(y);
  }
  return a.length - b.length;
}

/** Returns the distinct strings sorted by code point (UTF-8 byte order), like a Rust `BTreeSet<String>` (§2.0). */
export function sortUnique(strings: Iterable<string>): string[] {
  // Sorting first and dropping neighbours that repeat costs less than hashing every item into a
  // Set (the Set was most of the time on 100k paths); a Set argument is distinct already.
  const items = sortByCodePoint([...strings]);
  return strings instanceof Set ? items : dropRepeats(items);
}

/**
 * Sorts strings in place by code point (UTF-8 byte order) and returns the array; `astral` says
 * whether any item holds a UTF-16 surrogate, when the caller already knows (it is scanned otherwise).
 */
export function sortByCodePoint(items: string[], astral: boolean = textHasSurrogate(items.join(""))): string[] {
  // Without surrogates UTF-16 unit order is code-point order, and the engine's comparator-free sort
  // is about twice as fast as a JS comparator; the native sort is not adaptive, so a list that
  // arrives sorted (capability lists usually do) is recognised in one pass instead.
  if (!astral) return isSorted(items) ? items : items.sort();
  return items.sort(compareCodePoints);
}

/** Whether a text holds a UTF-16 surrogate (an astral character or a lone surrogate). */
export function textHasSurrogate(text: string): boolean {
  // The Latin-1 test is several times faster than the surrogate class on long texts.
  return !LATIN1.test(text) && SURROGATE.test(text);
}

// --- internal ---

const SURROGATE = /[\uD800-\uDFFF]/;
const LATIN1 = /^[\x00-\xff]*$/;

// UTF-16 units sort surrogates (astral code points) below U+E000–U+FFFF; code points sort them
// above. Moving surrogates up by 0x2000 and U+E000–U+FFFF down by 0x800 restores code-point order
// at the first differing unit (the usual UTF-16 "code point order" fix-up).
function lift(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function isSorted(items: readonly string[]): boolean {
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
