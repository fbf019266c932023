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
  const sorted = [...new Set(strings)].sort(compareCodePoints);
  return sorted;
}

// --- internal ---

// UTF-16 units sort surrogates (astral code points) below U+E000–U+FFFF; code points sort them
// above. Moving surrogates up by 0x2000 and U+E000–U+FFFF down by 0x800 restores code-point order
// at the first differing unit (the usual UTF-16 "code point order" fix-up).
function lift(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
