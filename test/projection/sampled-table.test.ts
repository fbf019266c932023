import { expect, test } from "bun:test";
import fc from "fast-check";
import { SampledTable, SEAL_AFTER } from "../../src/projection/sampled-table.ts";

// Keys alike in length and most characters (run ids, numbered files), so sampling must choose
// offsets well; and keys that differ only further from the end than any sampled offset reaches,
// so their buckets overflow into the hashed fallback.
const key = fc.oneof(
  fc
    .tuple(fc.constantFrom("/w/run_", "/w/run_1", "/opt/x/", "a", ""), fc.stringMatching(/^[0-9ab/]{0,6}$/), fc.constantFrom("", "/out.txt", "/in"))
    .map((parts) => parts.join("")),
  fc.stringMatching(/^[a-c]{3}$/).map((head) => `/${head}/${"t".repeat(120)}`),
);

// Each probe is a key or a near miss, inside a longer string at an offset.
const probe = fc.tuple(key, fc.constantFrom("", "read:", "xy"), fc.constantFrom("", "/", "/z"));

function truth(keys: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  keys.forEach((k, i) => map.set(k, i));
  return map;
}

test("a table answers the same before it seals itself and after, and both equal a plain map", () => {
  fc.assert(
    fc.property(fc.array(key, { maxLength: 200 }), fc.array(probe, { maxLength: 60 }), (keys, probes) => {
      const unsealed = new SampledTable();
      const sealed = new SampledTable();
      keys.forEach((k, i) => {
        unsealed.set(k, i);
        sealed.set(k, i);
      });
      // Enough probes that `sealed` seals itself before the probes that count.
      for (let i = 0; i <= SEAL_AFTER; i++) sealed.get("/no/such/key", 0, 12);
      const expected = truth(keys);
      const answers = (table: SampledTable) => probes.map(([k, before, after]) => table.get(before + k + after, before.length, before.length + k.length));
      const want = probes.map(([k]) => expected.get(k) ?? -1);
      expect(answers(unsealed)).toEqual(want);
      expect(answers(sealed)).toEqual(want);
      // the start filter never turns away a key that is there, sealed or not
      const turnedAway = (table: SampledTable) =>
        probes.filter(([k, before, after]) => expected.has(k) && !table.mayStartAt(before + k + after, before.length)).length;
      expect([turnedAway(unsealed), turnedAway(sealed)]).toEqual([0, 0]);
    }),
    { numRuns: 150 },
  );
});

test("a sealed table's start filter turns away a path no key starts like, until a key that does is added", () => {
  const table = new SampledTable();
  table.set("/usr/lib", 1);
  for (let i = 0; i <= SEAL_AFTER; i++) table.get("/usr/lib", 0, 8);
  const before = table.mayStartAt("xy/z", 0);
  table.set("xy", 2);
  expect({ before, after: table.mayStartAt("xy/z", 0), found: table.get("xy/z", 0, 2) }).toEqual({ before: false, after: true, found: 2 });
});

test("a key set after the table sealed is found, and a replaced value wins", () => {
  const table = new SampledTable();
  table.set("/a/b", 1);
  for (let i = 0; i <= SEAL_AFTER; i++) table.get("/a/c", 0, 4);
  table.set("/a/c", 2);
  table.set("/a/b", 3);
  expect([table.get("x/a/b", 1, 5), table.get("/a/c/d", 0, 4), table.get("/a/d", 0, 4)]).toEqual([3, 2, -1]);
});
