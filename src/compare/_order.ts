import { compareCodePoints, sortByCodePoint, sortUnique as sortUniqueStrings, textHasSurrogate } from "../evidence/index.ts";

// Private helpers over the evidence module's code-point order (Python `sorted` / Rust `BTreeSet` order):
// the sort itself lives in evidence; this file remembers, per array, what it already learned
// (sorted, surrogate-free) so the drift pipeline does not rescan or re-sort the same lists.

export { compareCodePoints, textHasSurrogate };

/** Sorts in place by code point and returns the array, like Python `list.sort()`. */
export function sortInPlace(items: string[]): string[] {
  if (SORTED.get(items) === items.length) return items;
  return markSorted(sortUnmarked(items));
}

function sortUnmarked(items: string[]): string[] {
  return sortByCodePoint(items, hasSurrogate(items));
}

/** Returns a sorted copy (code-point order), keeping duplicates, like Python `sorted(list)`. */
export function sortStrings(strings: Iterable<string>): string[] {
  const copy = [...strings];
  // The copy inherits what is already known about its source.
  if (Array.isArray(strings)) {
    const known = SCANNED.get(strings);
    if (known !== undefined && known.length === copy.length) SCANNED.set(copy, known);
    if (SORTED.get(strings) === copy.length) return markSorted(copy);
  }
  return sortInPlace(copy);
}

/** Returns the distinct strings in code-point order, like Python `sorted(set(...))`. */
export function sortUnique(strings: Iterable<string>): string[] {
  return markSorted(sortUniqueStrings(strings));
}

/** The first `limit` strings in code-point order, without sorting everything (Python `sorted(x)[:limit]`). */
export function smallest(strings: readonly string[], limit: number): string[] {
  const best: string[] = [];
  for (const item of strings) {
    if (best.length === limit && compareCodePoints(item, best[limit - 1] ?? "") >= 0) continue;
    let at = best.length;
    while (at > 0 && compareCodePoints(item, best[at - 1] ?? "") < 0) at--;
    best.splice(at, 0, item);
    if (best.length > limit) best.pop();
  }
  return best;
}

/** Merges two code-point-sorted lists into one sorted list (duplicates kept). */
export function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  const before = hasSurrogate(a) || hasSurrogate(b) ? (x: string, y: string) => compareCodePoints(x, y) <= 0 : (x: string, y: string) => x <= y;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(before(a[i] as string, b[j] as string) ? (a[i++] as string) : (b[j++] as string));
  while (i < a.length) out.push(a[i++] as string);
  while (j < b.length) out.push(b[j++] as string);
  if (isKnownSurrogateFree(a) && isKnownSurrogateFree(b)) markSurrogateFree(out);
  return markSorted(out);
}

/** Splits two string collections into sorted `[onlyInA, onlyInB, inBoth]` set differences (duplicates collapse). */
export function diffSets(a: Iterable<string>, b: Iterable<string>): [string[], string[], string[]] {
  const sortedA = sortStrings(a);
  const sortedB = sortStrings(b);
  // A linear merge of the two sorted lists: no hashing, no re-sorting of the three results.
  const before = hasSurrogate(sortedA) || hasSurrogate(sortedB) ? (x: string, y: string) => compareCodePoints(x, y) < 0 : (x: string, y: string) => x < y;
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  const both: string[] = [];
  let i = 0;
  let j = 0;
  while (i < sortedA.length || j < sortedB.length) {
    const x = sortedA[i];
    const y = sortedB[j];
    if (x !== undefined && (y === undefined || before(x, y))) {
      onlyA.push(x);
      while (sortedA[i] === x) i++;
    } else if (y !== undefined && (x === undefined || x !== y)) {
      onlyB.push(y);
      while (sortedB[j] === y) j++;
    } else {
      both.push(x as string);
      while (sortedA[i] === x) i++;
      while (sortedB[j] === y) j++;
    }
  }
  if (isKnownSurrogateFree(sortedA) && isKnownSurrogateFree(sortedB)) for (const list of [onlyA, onlyB, both]) markSurrogateFree(list);
  return [markSorted(onlyA), markSorted(onlyB), markSorted(both)];
}

/** Records that no item of `items` holds an astral character (e.g. it came from text known to hold none). */
export function markSurrogateFree<T extends readonly string[]>(items: T): T {
  SCANNED.set(items, { length: items.length, found: false });
  return items;
}

/** Whether `items` is known to hold no astral character (without scanning). */
export function isKnownSurrogateFree(items: readonly string[]): boolean {
  const known = SCANNED.get(items);
  return known !== undefined && known.length === items.length && !known.found;
}

// --- internal ---

// One native scan of the joined text beats a regex call per item by an order of magnitude, and the
// answer is remembered per array (sorting reorders items but cannot change whether one is astral).
function hasSurrogate(items: readonly string[]): boolean {
  const known = SCANNED.get(items);
  if (known !== undefined && known.length === items.length) return known.found;
  const found = items.length > 0 && textHasSurrogate(items.join(""));
  SCANNED.set(items, { length: items.length, found });
  return found;
}

// Arrays this module produced in sorted order, with their length then (they are never mutated after).
const SORTED = new WeakMap<readonly string[], number>();

function markSorted(items: string[]): string[] {
  SORTED.set(items, items.length);
  return items;
}

const SCANNED = new WeakMap<readonly string[], { readonly length: number; readonly found: boolean }>();
