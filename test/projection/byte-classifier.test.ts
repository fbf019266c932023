import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  ByteClassifier,
  classifyPath,
  classifyPathId,
  classifyPathIds,
  compileRulesOrThrow,
  LineTally,
  PathTally,
  type CompiledRules,
} from "../../src/projection/index.ts";
import { referenceClassifyPath, referenceRules } from "./_reference.ts";
import type { ProjectionRulesInput } from "../../src/schema/index.ts";
import { pathsFile, readerLines, rulesArb } from "../fixtures/projection/byte-inputs.ts";
import { generatePaths, generateRules } from "../fixtures/projection/path-sets.ts";

const SCHEMA = "assay.runner.projection_rules.v0";
const rules = (r: Omit<ProjectionRulesInput, "schema">) => compileRulesOrThrow({ schema: SCHEMA, ...r });

/** The byte core's (line, id) for each line of `bytes`, as the string reader would split them. */
function byteLines(bytes: Uint8Array, compiled: CompiledRules): { line: string; id: number }[] {
  const classifier = ByteClassifier.create(compiled)!;
  // As the line feeder does: a BOM at the very start is not part of the first line.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  classifier.input(bytes.length).set(bytes.subarray(start));
  const out: { line: string; id: number }[] = [];
  classifier.classifyRange(0, bytes.length - start, true, (s, e, id) => out.push({ line: classifier.text(s, e), id }));
  return out;
}

const encode = (lines: readonly string[]) => new TextEncoder().encode(`${lines.join("\n")}\n`);

// What the reference says of a line, in the fields a mapping copies; undefined when unmatched.
const referenceOf = new WeakMap<CompiledRules, ReturnType<typeof referenceRules>>();
function referenceVerdict(line: string, compiled: CompiledRules) {
  let reference = referenceOf.get(compiled);
  if (!reference) referenceOf.set(compiled, (reference = referenceRules(compiled.rules)));
  const hit = referenceClassifyPath(line, reference);
  return hit && { projected_path: hit.projected_path, rule: hit.rule.rule, path_class: hit.rule.path_class };
}
function engineVerdict(line: string, id: number, compiled: CompiledRules) {
  if (id < 0) return undefined;
  const m = classifyPath(line, compiled);
  return { projected_path: m.projected_path, rule: m.rule, path_class: m.path_class };
}

// The inputs of upstream's helper tests (V7) and the spec §1.4 edge cases, as in project-paths.test.ts.
const vectors: [Omit<ProjectionRulesInput, "schema">, string[]][] = [
  [
    { workload: { input: ["/tmp/run/workdir/input.txt"], output: ["/tmp/run/workdir/output.json"], scratch: ["/tmp/run/workdir/scratch"] } },
    ["/tmp/run/workdir/input.txt", "/tmp/run/workdir/output.json", "/tmp/run/workdir/scratch"],
  ],
  [
    { workdir_prefixes: ["/tmp/a/workdir/"] },
    ["open_read:/tmp/a/workdir/input.txt", "/tmp/a/workdir/cache/provider.tmp", "https:/tmp/a/workdir/not-an-operation", "/tmp/a/workdir-else/not-inside.txt"],
  ],
  [{ workdir_prefixes: ["/tmp/run/workdir"], workload: { input: ["/tmp/run/workdir/input.txt"] } }, ["open_read:/tmp/run/workdir/input.txt"]],
  [{ sample_limit: 2 }, ["/tmp/unknown-a", "/tmp/unknown-b", "/tmp/unknown-c", "/tmp/unknown-d"]],
  [{ workdir_prefixes: ["/w///"] }, ["/w", "/w/", "/w//x", "/w/../etc", "/wx", "/w/a/"]],
  [{ workdir_prefixes: ["/"] }, ["/", "//x", "/etc/hosts"]],
  [{ workdir_prefixes: ["/a", "/a/b", "/a/b/c"] }, ["/a/b/c/d", "/a/b/cd", "/a/bc", "/a"]],
  [{ workdir_prefixes: ["rel/dir"] }, ["rel/dir/x", "/rel/dir/x"]],
  [{ workdir_prefixes: ["/w"] }, ["read:/w/x", "READ:/w/x", "read:w/x", "open_append:/w", "x:read:/w", "read_write:/w/y", "open:/w/z"]],
  [{ paths: [{ raw_path: "read:/w/x", projected_path: "p/whole", rule: "r" }], workdir_prefixes: ["/w"] }, ["read:/w/x", "write:/w/x", "/w/x"]],
  [{ workload: { input: ["/x"], output: ["/x"] }, paths: [{ raw_path: "/x", projected_path: "p", rule: "last" }] }, ["/x", "create:/x"]],
  [
    { heuristics: "builtin" },
    ["/usr/bin/python3.12", "/usr/lib/python3.11/os.py", "/w/node_modules/openai/x.js", "/etc/hosts", "/a/.cache/b", "/x/libc.so.6", "/usr/bin/python3"],
  ],
  [
    {
      heuristics: [
        { pattern: "**/a?b/**", class: "cache" },
        { pattern: "/x/*.so*", class: "loader" },
        { pattern: "**", class: "runtime_package" },
      ],
    },
    ["/q/aéb/z", "/q/a/b", "/x/l.so.1", "/x/y/l.so", "anything"],
  ],
];

describe("ByteClassifier", () => {
  test("answers as classifyPathId and as the reference on upstream's vectors and the spec's edge cases", () => {
    for (const [r, paths] of vectors) {
      const compiled = rules(r);
      const lines = byteLines(encode(paths), compiled);
      expect(lines.map((l) => l.id)).toEqual(paths.map((p) => classifyPathId(p, compiled)));
      expect(lines.map((l) => engineVerdict(l.line, l.id, compiled))).toEqual(paths.map((p) => referenceVerdict(p, compiled)));
    }
  });

  test("answers as the string engine on every line of generated paths files (invalid UTF-8, CRLF, empty lines, BOM)", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, (r, bytes) => {
        const compiled = compileRulesOrThrow(r);
        const lines = readerLines(bytes);
        const got = byteLines(bytes, compiled);
        expect(got.map((l) => l.line)).toEqual(lines);
        expect(got.map((l) => l.id)).toEqual(lines.map((p) => classifyPathId(p, compiled)));
        expect(got.map((l) => engineVerdict(l.line, l.id, compiled))).toEqual(lines.map((p) => referenceVerdict(p, compiled)));
      }),
      { numRuns: 800 },
    );
  });

  test("classifies a line longer than a scan window and a read, between short ones", () => {
    const compiled = rules({ workdir_prefixes: ["/w"], heuristics: "builtin" });
    const long = `/w/${"x/".repeat(400_000)}node_modules/openai/y`;
    const paths = ["/w/a", long, "/usr/lib64/z", `/q/${"é".repeat(300_000)}/.cache/k`, "/q"];
    const got = byteLines(encode(paths), compiled);
    expect(got.map((l) => [l.line.length, l.id])).toEqual(paths.map((p) => [p.length, classifyPathId(p, compiled)]));
  });

  test("rules with a lone surrogate are left to the string engine", () => {
    expect(ByteClassifier.create(rules({ workload: { input: ["/a\uD800"] } }))).toBeUndefined();
    expect(ByteClassifier.create(rules({ workload: { input: ["/a\u{1F600}"] } }))).toBeInstanceOf(ByteClassifier);
  });

  // The bench guard's inputs (seeded sets of 20 000 and 200 000 paths over 10 to 10 000 rules), whose
  // answers no test spells out: the core must give the string engine's on every one.
  test("answers as the string engine on the bench guard's generated sets", () => {
    for (const [count, heuristics, seed] of [
      [10, "none", 8],
      [1000, "none", 7],
      [1000, "builtin", 7],
      [10_000, "none", 8],
      [10_000, "builtin", 8],
    ] as const) {
      const compiled = compileRulesOrThrow(generateRules(count, heuristics));
      const paths = generatePaths(seed === 7 ? 20_000 : 50_000, seed);
      const got = byteLines(encode(paths), compiled);
      expect({ count, heuristics, ids: got.map((l) => l.id) }).toEqual({ count, heuristics, ids: [...classifyPathIds(paths, compiled)] });
    }
  });
});

describe("ByteClassifier.ndjsonRange", () => {
  // The ndjson the byte core writes for a whole input (BOM at the start skipped, as the feeder does).
  function ndjsonOf(bytes: Uint8Array, compiled: CompiledRules): string {
    const classifier = ByteClassifier.create(compiled)!;
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    classifier.input(bytes.length).set(bytes.subarray(start));
    const chunks: Uint8Array[] = [];
    classifier.ndjsonRange(0, bytes.length - start, true, { bytes: (b) => chunks.push(b.slice()), text: (t) => chunks.push(new TextEncoder().encode(t)) });
    return Buffer.concat(chunks).toString("utf8");
  }
  const expected = (lines: readonly string[], compiled: CompiledRules) => lines.map((l) => `${JSON.stringify(classifyPath(l, compiled))}\n`).join("");

  test("writes JSON.stringify(classifyPath(line)) per line, byte for byte, on generated paths files", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, (r, bytes) => {
        const compiled = compileRulesOrThrow(r);
        expect(ndjsonOf(bytes, compiled)).toBe(expected(readerLines(bytes), compiled));
      }),
      { numRuns: 500 },
    );
  });

  test("escapes quotes, backslashes and control characters as JSON.stringify does, on the vectors and long lines", () => {
    const compiled = rules({
      workdir_prefixes: ["/w", '/q\\"x'],
      workload: { input: ["/i\tn"] },
      paths: [{ raw_path: "read:/p", projected_path: 'p"\u0001\u2028q', rule: "r\\" }],
      heuristics: "builtin",
    });
    const paths = [
      '/w/a"b\\c\u0000\u0007\b\f\u001f\u007f\u2028é',
      '/q\\"x/y',
      "/i\tn",
      "read:/p",
      "write:/p",
      "read:/i\tn",
      `/w/${'x"'.repeat(200_000)}`,
      "/usr/lib64/\u0010",
    ];
    expect(ndjsonOf(encode(paths), compiled)).toBe(expected(paths, compiled));
    for (const [r, vector] of vectors) {
      const c = rules(r);
      expect(ndjsonOf(encode(vector), c)).toBe(expected(vector, c));
    }
  });

  test("writes the bench's generated mix as the string engine does", () => {
    const compiled = compileRulesOrThrow(generateRules(1000, "builtin"));
    const paths = generatePaths(100_000, 9);
    expect(ndjsonOf(encode(paths), compiled)).toBe(expected(paths, compiled));
  });
});

describe("LineTally", () => {
  // Feeds `bytes` in pieces cut at `cuts`, carrying the unfinished line as the CLI's feeder does.
  function tallyOf(bytes: Uint8Array, compiled: CompiledRules, cuts: number[], tally = LineTally.create(compiled)!): LineTally {
    let filled = 0;
    let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      if (cut <= at) continue;
      tally.input(filled + cut - at).set(bytes.subarray(at, cut), filled);
      filled += cut - at;
      at = cut;
      const consumed = tally.add(0, filled, false);
      tally.input(filled).copyWithin(0, consumed, filled);
      filled -= consumed;
    }
    tally.add(0, filled, true);
    return tally;
  }
  function stringSummary(bytes: Uint8Array, compiled: CompiledRules) {
    const tally = new PathTally(compiled);
    for (const line of readerLines(bytes)) tally.add(line);
    return tally.summary();
  }

  test("sums as PathTally over the same lines, however the input is cut into writes", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, fc.array(fc.nat(), { maxLength: 6 }), (r, bytes, cuts) => {
        const compiled = compileRulesOrThrow(r);
        expect(tallyOf(bytes, compiled, cuts).summary()).toEqual(stringSummary(bytes, compiled));
      }),
      { numRuns: 400 },
    );
  });

  test("two parts split at a line boundary and merged give the one-part summary (one core or two)", () => {
    fc.assert(
      fc.property(rulesArb, pathsFile, fc.nat(), (r, bytes, at) => {
        const compiled = compileRulesOrThrow(r);
        const newline = bytes.indexOf(10, at % (bytes.length + 1));
        const split = newline < 0 ? bytes.length : newline + 1;
        const first = tallyOf(bytes.subarray(0, split), compiled, []);
        // The second part starts mid-file: no BOM skipped there.
        const second = LineTally.create(compiled)!;
        second.input(bytes.length - split + 1).set(bytes.subarray(split));
        second.add(0, bytes.length - split, true);
        first.merge(second.counts());
        expect(first.summary()).toEqual(tallyOf(bytes, compiled, []).summary());
      }),
      { numRuns: 400 },
    );
  });

  test("counts the generated million-path mix as PathTally does, with built-in heuristics", () => {
    const compiled = compileRulesOrThrow(generateRules(1000, "builtin"));
    const paths = generatePaths(200_000, 5);
    const bytes = encode(paths);
    const expected = new PathTally(compiled);
    for (const p of paths) expected.add(p);
    expect(tallyOf(bytes, compiled, [1 << 20, 3 << 20, 5 << 20]).summary()).toEqual(expected.summary());
  });
});
