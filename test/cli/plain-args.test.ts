import { describe, expect, test } from "bun:test";
import { type ArgsDef, parseArgs } from "citty";
import fc from "fast-check";
import { parsePlainArgs } from "../../src/cli/_plain-args.ts";

// The args of verify, validate and inspect, and variants that must go to citty.
const VERIFY: ArgsDef = {
  archive: { type: "positional", required: false, description: "archive" },
  json: { type: "boolean", description: "json" },
  quiet: { type: "boolean", description: "quiet" },
};
const REQUIRED: ArgsDef = { file: { type: "positional", description: "file" }, json: { type: "boolean", description: "json" } };
const DEFAULTED: ArgsDef = { file: { type: "positional", default: "x.json", description: "file" }, json: { type: "boolean", description: "json" } };
// The args of project: string flags beside booleans.
const PROJECT: ArgsDef = {
  input: { type: "positional", required: false, description: "input" },
  rules: { type: "string", description: "rules" },
  format: { type: "string", description: "format" },
  json: { type: "boolean", description: "json" },
};
const PROJECT_LINES: readonly (readonly string[])[] = [
  ["paths.txt", "--rules", "r.json", "--format", "summary"],
  ["--rules", "r.json", "paths.txt"],
  ["--rules=r.json", "--format=a=b", "-", "--json"],
  ["--format", "ndjson"],
  ["--json", "--rules", "r", "a", "b"],
];
// The shape of run's args: names in several words (citty adds their camelCase), a one-letter alias,
// booleans and strings, and the workload after `--`.
const RUN: ArgsDef = {
  "run-id": { type: "string", description: "id" },
  output: { type: "string", alias: "o", description: "out" },
  capture: { type: "string", description: "capture" },
  "kill-grace": { type: "string", description: "grace" },
  "keep-all-opens": { type: "boolean", description: "keep" },
  json: { type: "boolean", description: "json" },
  verbose: { type: "boolean", alias: "v", description: "verbose" },
};
const RUN_LINES: readonly (readonly string[])[] = [
  ["--", "/bin/true"],
  ["-o", "out.tar.gz", "--capture", "ebpf", "--", "sh", "-c", "echo --json -o x"],
  ["--run-id=r1", "--keep-all-opens", "--json", "--", "make", "--", "test"],
  ["--output", "a.tgz", "-v", "--kill-grace", "5s", "--verbose", "--", "x"],
  ["--capture=none", "stray", "--", "w", "-"],
  ["--json"],
];
const TWO: ArgsDef = { a: { type: "positional", description: "a" }, b: { type: "positional", required: false, description: "b" } };

const LINES: readonly (readonly string[])[] = [
  [],
  ["a.tar.gz"],
  ["a.tar.gz", "--json"],
  ["--json", "a.tar.gz"],
  ["--quiet", "a.tar.gz", "--json", "--quiet"],
  ["-"],
  ["a", "b", "c"],
  ["--json"],
  ["a", "--json", "b"],
];

// citty's own result, as the plain object a command's `run` reads.
function citty(args: ArgsDef, line: readonly string[]): Record<string, unknown> {
  const parsed = parseArgs([...line], args) as Record<string, unknown>;
  return { ...parsed };
}

describe("parsePlainArgs", () => {
  describe("should give what citty gives, key order included", () => {
    const positionalsOnly = LINES.filter((line) => line.every((token) => !token.startsWith("--")));
    for (const [label, args, lines] of [
      ["for optional positionals and plain booleans", VERIFY, LINES],
      ["for a positional with a default", DEFAULTED, LINES.filter((line) => !line.includes("--quiet"))],
      ["for two positionals", TWO, positionalsOnly.filter((line) => line.length > 0)],
      ["for string flags, spaced or with =", PROJECT, PROJECT_LINES],
      ["for names in several words, one-letter aliases and --", RUN, RUN_LINES],
    ] as const) {
      test(label, () => {
        const ours = lines.map((line): { keys: string[]; value: Record<string, unknown> } | undefined => {
          const parsed = parsePlainArgs(args, line);
          return parsed === undefined ? undefined : { keys: Object.keys(parsed), value: { ...parsed } };
        });
        const theirs = lines.map((line) => {
          const parsed = citty(args, line);
          return { keys: Object.keys(parsed), value: parsed };
        });
        expect(ours).toEqual(theirs);
      });
    }
  });

  describe("should leave the line to citty", () => {
    test("for flags it does not parse itself", () => {
      const lines = [["--json=false"], ["--no-json"], ["-j"], ["--unknown"], ["-5"], ["--JSON"], ["-oj"]];
      expect(lines.map((line) => parsePlainArgs(VERIFY, line))).toEqual(lines.map(() => undefined));
    });

    test("for a second spelling or an alias written as a long flag", () => {
      const lines = [
        ["--runId", "x", "--", "w"],
        ["--o", "x", "--", "w"],
        ["--kill-grace", "-1s", "--", "w"],
        ["-o", "--", "w"],
      ];
      expect(lines.map((line) => parsePlainArgs(RUN, line))).toEqual(lines.map(() => undefined));
    });

    test("for a string flag without a value, with one that starts with -, or given twice", () => {
      const lines = [
        ["--rules"],
        ["x", "--rules"],
        ["--rules", "-"],
        ["--rules", "--json"],
        ["--rules="],
        ["--rules", "a", "--rules", "b"],
        ["--rules=a", "--rules", "b"],
      ];
      expect(lines.map((line) => parsePlainArgs(PROJECT, line))).toEqual(lines.map(() => undefined));
    });

    test("for a missing required positional, which citty reports", () => {
      expect(parsePlainArgs(REQUIRED, ["--json"])).toBeUndefined();
    });

    test("for args with enum, default or required flags, long or several aliases, or names not in lower-case words", () => {
      const defs: ArgsDef[] = [
        { out: { type: "string", alias: "out-file", description: "out" } },
        { out: { type: "string", alias: ["o", "p"], description: "out" } },
        { out: { type: "string", default: "-", description: "out" } },
        { mode: { type: "enum", options: ["a"], description: "mode" } },
        { json: { type: "boolean", default: false, description: "json" } },
        { json: { type: "boolean", required: true, description: "json" } },
        { dryRun: { type: "boolean", description: "dry run" } },
        { "no-color": { type: "boolean", description: "citty reads --no-color as a negation" } },
        { dry_run: { type: "boolean", description: "dry run" } },
      ];
      expect(defs.map((def) => parsePlainArgs(def, ["x"]))).toEqual(defs.map(() => undefined));
    });
  });

  test("should give what citty gives on generated lines of run's shape, and take every plain one", () => {
    const value = fc.constantFrom("a", "out.tar.gz", "5s", "x=y", "-", "--json", "-o", "");
    const token = fc.oneof(
      fc.constantFrom("--run-id", "--output", "-o", "--capture", "--kill-grace").chain((flag) => value.map((v) => [flag, v])),
      fc.constantFrom("--run-id=", "--output=", "--capture=").chain((flag) => value.map((v) => [flag + v])),
      fc.constantFrom(["--keep-all-opens"], ["--json"], ["-v"], ["--verbose"], ["stray"], ["-"], ["--no-json"], ["-x"], ["--runId", "a"]),
    );
    const line = fc.tuple(fc.array(token, { maxLength: 6 }), fc.option(fc.array(fc.constantFrom("w", "--json", "-o", "--", "x"), { maxLength: 4 })));
    fc.assert(
      fc.property(line, ([tokens, after]) => {
        const raw = [...tokens.flat(), ...(after === null ? [] : ["--", ...after])];
        const ours = parsePlainArgs(RUN, raw);
        const before = tokens.flat();
        const strings = ["--run-id", "--output", "-o", "--capture", "--kill-grace"];
        // plain: no negation, no unknown flag, no empty, dashed, missing or repeated string value
        const given = tokens.filter((t) => strings.some((s) => t[0]!.startsWith(s)));
        const names = given.map((t) => (t[0]!.includes("=") ? t[0]!.slice(0, t[0]!.indexOf("=")) : t[0]!).replace(/^-o$/, "--output"));
        const plain =
          !before.some((t) => t === "--no-json" || t === "-x" || t === "--runId") &&
          given.every((t) => (t.length === 2 ? t[1] !== "" && !t[1]!.startsWith("-") : !t[0]!.endsWith("="))) &&
          new Set(names).size === names.length;
        if (plain) expect(ours).toBeDefined();
        if (ours !== undefined) {
          const theirs = citty(RUN, raw);
          expect({ keys: Object.keys(ours), value: { ...ours } as Record<string, unknown> }).toEqual({ keys: Object.keys(theirs), value: theirs });
        }
      }),
      { numRuns: 400 },
    );
  });
});
