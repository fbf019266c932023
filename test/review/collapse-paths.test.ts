import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { collapsePaths, PatternMatcher, READ_COLLAPSE } from "../../src/review/index.ts";

const files = (dir: string, n: number) => Array.from({ length: n }, (_, i) => `${dir}/f${i}.py`);

function patterns(map: Map<string, { match: string; pattern: string }>): string[] {
  return [...new Set([...map.values()].map((p) => `${p.match} ${p.pattern}`))].sort();
}

describe("collapsePaths", () => {
  test("keeps a directory with fewer than 8 paths exact and globs one with 8 as DIR/*", () => {
    const out = collapsePaths([...files("/srv/app/a", 7), ...files("/srv/app/b", 8)], { wide: 8, deep: false });
    expect(patterns(out)).toEqual([...files("/srv/app/a", 7).map((p) => `exact ${p}`), "glob /srv/app/b/*"].sort());
  });

  test("collapses a subtree spread over two or more subdirectories into DIR/**, and keeps one subdirectory's few paths exact", () => {
    const paths = [...files("/usr/lib/python3/x", 5), ...files("/usr/lib/python3/y", 5)];
    expect(patterns(collapsePaths(paths, READ_COLLAPSE))).toEqual(["glob /usr/lib/python3/**"]);
    expect(patterns(collapsePaths(files("/usr/lib/python3/x", 7), READ_COLLAPSE))).toEqual(
      files("/usr/lib/python3/x", 7)
        .map((p) => `exact ${p}`)
        .sort(),
    );
    expect(patterns(collapsePaths(files("/usr/lib/python3/x", 7), { wide: 8, deep: false }))).toEqual(
      files("/usr/lib/python3/x", 7)
        .map((p) => `exact ${p}`)
        .sort(),
    );
  });

  test("never globs two names below the root (/usr/** says nothing)", () => {
    const paths = [...files("/usr/a", 3), ...files("/usr/b", 3), ...files("/usr/c", 3)];
    expect(patterns(collapsePaths(paths, READ_COLLAPSE))).toEqual(paths.map((p) => `exact ${p}`).sort());
  });

  test("lists a path holding a wildcard character exactly, never inside a glob of its own directory", () => {
    const out = collapsePaths([...files("/d*r/x", 9)], READ_COLLAPSE);
    expect(patterns(out)).toEqual(
      files("/d*r/x", 9)
        .map((p) => `exact ${p}`)
        .sort(),
    );
  });

  test("is a function of the set: any order and duplicates give the same patterns", () => {
    const segment = fc.constantFrom("a", "b", "c", "lib", "site-packages", "x.py", "y.py", "z.so");
    const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join("/")}`);
    fc.assert(
      fc.property(fc.array(path, { maxLength: 120 }), fc.integer(), (list, seed) => {
        const shuffled = [...list, ...list.slice(0, 5)].sort((a, b) => hash(a, seed) - hash(b, seed) || (a < b ? -1 : 1));
        const a = collapsePaths(list, READ_COLLAPSE);
        const b = collapsePaths(shuffled, READ_COLLAPSE);
        expect([...b].sort()).toEqual([...a].sort());
      }),
      { numRuns: 200 },
    );
  });

  test("every path is covered by the pattern it was collapsed into", () => {
    const paths = [...files("/opt/t/a", 9), ...files("/opt/t/b/c", 4), ...files("/opt/t/b/d", 4), "/etc/hosts"];
    const out = collapsePaths(paths, READ_COLLAPSE);
    for (const [path, pattern] of out) expect(new PatternMatcher([pattern]).find(path)).toBe(0);
    expect(out.size).toBe(paths.length);
  });
});

describe("PatternMatcher", () => {
  const matcher = new PatternMatcher([
    { match: "exact", pattern: "/etc/hosts", access: "read" },
    { match: "glob", pattern: "/w/out/*", access: "write" },
    { match: "glob", pattern: "/usr/lib/py/**", access: "read" },
    { match: "glob", pattern: "/var/**/*.log", access: "write" },
    { match: "exact", pattern: "/etc/hosts", access: "write" },
  ]);

  test("finds the first covering entry in list order, honouring write access", () => {
    expect([
      matcher.find("/etc/hosts"),
      matcher.find("/etc/hosts", true),
      matcher.find("/w/out/a.txt", true),
      matcher.find("/w/out/sub/a.txt"),
      matcher.find("/usr/lib/py"),
      matcher.find("/usr/lib/py/a/b/c.py"),
      matcher.find("/usr/lib/py/a.py", true),
      matcher.find("/var/x/y/app.log", true),
      matcher.find("/var/app.txt"),
      matcher.find("/usr/lib/pyx/a"),
    ]).toEqual([0, 4, 1, -1, 2, 2, -1, 3, -1, -1]);
  });
});

function hash(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}
