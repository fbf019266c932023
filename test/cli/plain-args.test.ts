import { describe, expect, test } from "bun:test";
import { type ArgsDef, parseArgs } from "citty";
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
      const lines = [["--json=false"], ["--no-json"], ["-j"], ["--", "x"], ["--unknown"], ["-5"], ["--JSON"]];
      expect(lines.map((line) => parsePlainArgs(VERIFY, line))).toEqual(lines.map(() => undefined));
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

    test("for args with enum, alias, default or required flags, or names with a second spelling", () => {
      const defs: ArgsDef[] = [
        { out: { type: "string", alias: "o", description: "out" } },
        { out: { type: "string", default: "-", description: "out" } },
        { mode: { type: "enum", options: ["a"], description: "mode" } },
        { json: { type: "boolean", alias: "j", description: "json" } },
        { json: { type: "boolean", default: false, description: "json" } },
        { json: { type: "boolean", required: true, description: "json" } },
        { dryRun: { type: "boolean", description: "dry run" } },
        { "dry-run": { type: "boolean", description: "dry run" } },
      ];
      expect(defs.map((def) => parsePlainArgs(def, ["x"]))).toEqual(defs.map(() => undefined));
    });
  });
});
