import { compareCodePoints, sortUnique } from "../evidence/index.ts";

// Private helpers over the evidence module's code-point order (Python `sorted` / Rust `BTreeSet` order).

export { compareCodePoints, sortUnique };

/** Returns a sorted copy (code-point order), keeping duplicates, like Python `sorted(list)`. */
export function sortStrings(strings: Iterable<string>): string[] {
  return [...strings].sort(compareCodePoints);
}

/** Splits two string collections into sorted `[onlyInA, onlyInB, inBoth]` set differences. */
export function diffSets(a: Iterable<string>, b: Iterable<string>): [string[], string[], string[]] {
  const setA = new Set(a);
  const setB = new Set(b);
  const onlyA: string[] = [];
  const both: string[] = [];
  for (const item of setA) (setB.has(item) ? both : onlyA).push(item);
  const onlyB: string[] = [];
  for (const item of setB) if (!setA.has(item)) onlyB.push(item);
  return [onlyA.sort(compareCodePoints), onlyB.sort(compareCodePoints), both.sort(compareCodePoints)];
}
