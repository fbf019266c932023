// Private to schema: schema may import only valibot, so it keeps its own tiny comparator instead
// of reaching for evidence's `compareCodePoints`. UTF-8 byte order equals Unicode code point
// order, so comparing code points (not UTF-16 units, as `<` and `sort()` do) is enough (spec §2.0).

/** Compares two strings by their UTF-8 bytes: negative, zero or positive. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only when a surrogate meets a BMP unit above it does UTF-16 order disagree with code points.
    return codePointAt(a, i) - codePointAt(b, i);
  }
  return a.length - b.length;
}

/** The index of the first element not strictly after its predecessor in UTF-8 byte order, or -1. */
export function firstUnsortedIndex(items: readonly string[]): number {
  for (let i = 1; i < items.length; i++) {
    if (compareUtf8(items[i - 1] as string, items[i] as string) >= 0) return i;
  }
  return -1;
}

// --- internal ---

function codePointAt(s: string, i: number): number {
  const unit = s.charCodeAt(i);
  // A low surrogate at i means a pair started one unit earlier: both strings agree up to i, so the
  // pair's lead is shared; comparing the trail units directly keeps the order right.
  if (unit >= 0xdc00 && unit <= 0xdfff) return unit + 0x10000;
  return s.codePointAt(i) ?? unit;
}
