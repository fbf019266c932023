// Code-point (UTF-8 byte) order of 100k capability strings, the size of a large surface. In one
// summary per input shape: the comparator sort evidence's sortUnique used to be (baseline), the
// Set + surrogate scan + native sort compare's _order.ts used to have, and the engine: evidence's
// sortUnique now (sort, then drop neighbours that repeat; native sort unless surrogates occur).
import { bench, run, summary } from "mitata";
import { compareCodePoints, sortUnique, textHasSurrogate } from "../src/evidence/index.ts";

const COUNT = 100_000;
const ASCII = ["usr", "lib", "work", "tmp", "etc", "python3.12", "site-packages", "node_modules", "share", "include"];
const MIXED = [...ASCII, "é", "数据", "\ue000"];

let seed = 7;
const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const paths = (segments: readonly string[], astral: boolean): string[] =>
  Array.from({ length: COUNT }, (_, i) => {
    const parts = Array.from({ length: 4 }, () => segments[Math.floor(random() * segments.length)]);
    return `/${parts.join("/")}/${i.toString(36)}${astral && i % 100 === 0 ? "😀" : ""}`;
  });
const shuffledAscii = paths(ASCII, false);

for (const [shape, input] of [
  ["shuffled ASCII", shuffledAscii],
  ["sorted ASCII", sortUnique(shuffledAscii)],
  ["shuffled, non-Latin-1", paths(MIXED, false)],
  ["shuffled, 1% astral", paths(MIXED, true)],
] as const) {
  summary(() => {
    bench(`reference: Set + sort(compareCodePoints), ${shape}`, () => [...new Set(input)].sort(compareCodePoints).length).baseline();
    bench(`former compare: Set + scan + native sort, ${shape}`, () => formerCompareSortUnique(input).length);
    bench(`engine: sortUnique, ${shape}`, () => sortUnique(input).length);
  });
}

await run();

function formerCompareSortUnique(strings: Iterable<string>): string[] {
  const items = [...new Set(strings)];
  if (textHasSurrogate(items.join(""))) return items.sort(compareCodePoints);
  for (let i = 1; i < items.length; i++) if ((items[i - 1] as string) > (items[i] as string)) return items.sort();
  return items;
}
