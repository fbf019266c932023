import { describe, expect, test } from "bun:test";
import { checkLanes, checkSizes } from "../../scripts/lane-check.ts";

describe("checkLanes", () => {
  test("accepts imports that follow the arrows through index.ts", () => {
    const files = new Map([
      ["evidence/writer.ts", `import { x } from "../schema/index.ts";\nimport * as v from "valibot";`],
      ["cli/verify.ts", `import { y } from "../evidence/index.ts";\nimport { defineCommand } from "citty";`],
      ["main.ts", `const load = () => import("./cli/run.ts");`],
    ]);
    expect(checkLanes(files)).toEqual([]);
  });

  test("catches a forbidden import between folders", () => {
    const files = new Map([["schema/manifest.ts", `import { writeArchive } from "../evidence/index.ts";`]]);
    expect(checkLanes(files)).toEqual([{ file: "schema/manifest.ts", line: 1, specifier: "../evidence/index.ts", reason: "schema may not import evidence" }]);
  });

  test("catches a reach into another folder's internals", () => {
    const files = new Map([["compare/diff.ts", `export { a } from "../evidence/tar-writer.ts";`]]);
    expect(checkLanes(files).map((v) => v.reason)).toEqual(["import evidence through evidence/index.ts"]);
  });

  test("keeps consola and citty inside cli and schema free of packages", () => {
    const files = new Map([
      ["run/phases.ts", `import { consola } from "consola";`],
      ["schema/kernel-event.ts", `import { readFileSync } from "node:fs";`],
    ]);
    expect(checkLanes(files).map((v) => v.reason)).toEqual(["consola is for src/cli only", "schema imports only valibot"]);
  });
});

// Issue 14, item 8: a line-by-line reader missed every form below.
describe("checkLanes reads whole import statements", () => {
  const forbidden = (source: string) => checkLanes(new Map([["capture/x.ts", source]]));
  const reasons = (source: string) => forbidden(source).map((v) => [v.line, v.specifier, v.reason]);

  test("a multi-line import { … } from", () => {
    expect(reasons(`const a = 1;\nimport {\n  executeRun,\n  type RunSpec,\n} from "../run/index.ts";\n`)).toEqual([
      [2, "../run/index.ts", "capture may not import run"],
    ]);
  });

  test("a multi-line import type { … } from", () => {
    expect(reasons(`import type {\n  RunSpec\n} from "../run/index.ts";`)).toEqual([[1, "../run/index.ts", "capture may not import run"]]);
  });

  test("export { … } from and export * from, on one or several lines", () => {
    expect(reasons(`export {\n  a,\n} from "../run/index.ts";\nexport * from "../evidence/index.ts";\nexport * as c from\n  "../compare/index.ts";`)).toEqual([
      [1, "../run/index.ts", "capture may not import run"],
      [4, "../evidence/index.ts", "capture may not import evidence"],
      [5, "../compare/index.ts", "capture may not import compare"],
    ]);
  });

  test("a dynamic import(), also split over lines and inside an expression", () => {
    expect(reasons(`const m = await Promise.all([import(\n  "../run/index.ts"\n)]);\nconst n = import(\`../compare/index.ts\`);`)).toEqual([
      [1, "../run/index.ts", "capture may not import run"],
      [4, "../compare/index.ts", "capture may not import compare"],
    ]);
  });

  test("require(), require.resolve() and import x = require()", () => {
    expect(
      reasons(`const a = require("../run/index.ts");\nconst b = require.resolve("../evidence/index.ts");\nimport c = require("../compare/index.ts");`),
    ).toEqual([
      [1, "../run/index.ts", "capture may not import run"],
      [2, "../evidence/index.ts", "capture may not import evidence"],
      [3, "../compare/index.ts", "capture may not import compare"],
    ]);
  });

  test("a type-position import()", () => {
    expect(reasons(`let spec: typeof import("../run/index.ts").RunSpec;`)).toEqual([[1, "../run/index.ts", "capture may not import run"]]);
  });

  test("an import whose module is computed at run time, since it cannot be checked", () => {
    expect(
      forbidden(`const name = "run";\nconst m = await import(\`../\${name}/index.ts\`);\nconst r = require(name);`).map((v) => [v.line, v.specifier]),
    ).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the specifier's source text, as the check reports it
      [2, "`../${name}/index.ts`"],
      [3, "name"],
    ]);
  });

  test("ignores import-like text in comments and strings", () => {
    expect(
      forbidden(
        `// import { x } from "../run/index.ts";\n/* require("../run/index.ts") */\nconst s = 'import("../run/index.ts")';\nconst t = "export * from '../run/index.ts'";`,
      ),
    ).toEqual([]);
  });
});

describe("checkLanes lanes of this round's modules", () => {
  const check = (entries: [string, string][]) => checkLanes(new Map(entries)).map((v) => `${v.file}: ${v.reason}`);

  test("allows the arrows ARCHITECTURE lists", () => {
    expect(
      check([
        ["capture/ebpf/program.ts", `import { load } from "../../bpf/index.ts";`],
        ["egress/compile.ts", `import { load } from "../bpf/index.ts";`],
        ["redaction/redactor.ts", `import { x } from "../schema/index.ts";`],
        ["run/redact.ts", `import { r } from "../redaction/index.ts";\nimport { e } from "../egress/index.ts";`],
        [
          "review/sarif.ts",
          `import { a } from "../schema/index.ts";\nimport { b } from "../evidence/index.ts";\nimport { c } from "../projection/index.ts";\nimport { d } from "../compare/index.ts";`,
        ],
        ["attest/dsse.ts", `import { a } from "../schema/index.ts";\nimport { b } from "../evidence/index.ts";`],
        ["cli/attest.ts", `import { a } from "../attest/index.ts";\nimport { b } from "../review/index.ts";\nimport { c } from "../bpf/index.ts";`],
      ]),
    ).toEqual([]);
  });

  test("refuses the arrows it does not list", () => {
    expect(
      check([
        ["bpf/maps.ts", `import { x } from "../linux/index.ts";`],
        ["redaction/redactor.ts", `import { x } from "../evidence/index.ts";`],
        ["review/check.ts", `import { x } from "../run/index.ts";`],
        ["attest/sign.ts", `import { x } from "../compare/index.ts";`],
        ["egress/policy.ts", `import { x } from "../capture/index.ts";`],
        ["run/x.ts", `import { x } from "../cli/run.ts";`],
      ]),
    ).toEqual([
      "bpf/maps.ts: bpf may not import linux",
      "redaction/redactor.ts: redaction may not import evidence",
      "review/check.ts: review may not import run",
      "attest/sign.ts: attest may not import compare",
      "egress/policy.ts: egress may not import capture",
      "run/x.ts: run may not import cli",
    ]);
  });
});

// Issue 19: no function over 80 lines, no file over 400 lines, unless a reason line says why.
describe("checkSizes", () => {
  // A function spanning `lines` lines, from its header to its closing brace.
  const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  step(${i});`).join("\n");
  const fn = (header: string, lines: number, close = "}") => `${header}\n${body(lines)}\n${close}`;
  const check = (entries: [string, string][]) => checkSizes(new Map(entries)).map((v) => `${v.file}:${v.line}: ${v.reason}`);

  test("accepts functions of 80 lines and files of 400", () => {
    const file = [fn("export function a(): void {", 80), ...Array.from({ length: 320 }, () => "const x = 1;")].join("\n");
    expect([file.split("\n").length, check([["run/a.ts", file]])]).toEqual([400, []]);
  });

  test("names file:line of a function over 80 lines, whatever its form", () => {
    const source = [
      "// a header",
      fn("export function declared(): void {", 81),
      fn("const arrow = (): void => {", 82, "};"),
      fn("class K {\n  method(): void {", 83, "  }\n}"),
      fn("export default function (): void {", 81),
    ].join("\n");
    expect(check([["compare/long.ts", source]])).toEqual([
      'compare/long.ts:2: function declared has 81 lines, over 80: split it, or say why on a line above it ("// Over 80 lines …: <reason>")',
      'compare/long.ts:83: function arrow has 82 lines, over 80: split it, or say why on a line above it ("// Over 80 lines …: <reason>")',
      'compare/long.ts:166: function method has 83 lines, over 80: split it, or say why on a line above it ("// Over 80 lines …: <reason>")',
      'compare/long.ts:250: an anonymous function has 81 lines, over 80: split it, or say why on a line above it ("// Over 80 lines …: <reason>")',
    ]);
  });

  test("accepts a long function with a reason among the comment lines above it, not a bare marker", () => {
    const reasoned = [
      "/** Classifies one line. */",
      "// Over 80 lines on purpose: one loop keeps its state in locals.",
      "// More words.",
      fn("function core(): i32 {", 90),
    ].join("\n");
    const bare = ["// Over 80 lines", fn("function core(): i32 {", 90)].join("\n");
    const far = ["// Over 80 lines on purpose: a reason.", "const x = 1;", fn("function core(): i32 {", 90)].join("\n");
    expect([check([["projection/_wasm/core.as.ts", reasoned]]), check([["a/b.ts", bare]]).length, check([["a/c.ts", far]]).length]).toEqual([[], 1, 1]);
  });

  test("names a file over 400 lines unless its first line gives a reason", () => {
    const lines = Array.from({ length: 401 }, () => "const x = 1;");
    const withReason = ["// Over 400 lines on purpose: one table, one order.", ...lines].join("\n");
    const reasonNotFirst = ["// a header", "// Over 400 lines on purpose: one table.", ...lines].join("\n");
    expect([
      check([["evidence/big.ts", `${lines.join("\n")}\n`]]),
      check([["evidence/ok.ts", withReason]]),
      check([["evidence/late.ts", reasonNotFirst]]).length,
    ]).toEqual([['evidence/big.ts:1: file has 401 lines, over 400: split it, or say why on its first line ("// Over 400 lines …: <reason>")'], [], 1]);
  });
});
