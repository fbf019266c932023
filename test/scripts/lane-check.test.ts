import { describe, expect, test } from "bun:test";
import { checkLanes } from "../../scripts/lane-check.ts";

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
    expect(checkLanes(files)).toEqual([
      { file: "schema/manifest.ts", line: 1, specifier: "../evidence/index.ts", reason: "schema may not import evidence" },
    ]);
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
    expect(reasons(`const a = 1;\nimport {\n  executeRun,\n  type RunSpec,\n} from "../run/index.ts";\n`)).toEqual([[2, "../run/index.ts", "capture may not import run"]]);
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
    expect(reasons(`const a = require("../run/index.ts");\nconst b = require.resolve("../evidence/index.ts");\nimport c = require("../compare/index.ts");`)).toEqual([
      [1, "../run/index.ts", "capture may not import run"],
      [2, "../evidence/index.ts", "capture may not import evidence"],
      [3, "../compare/index.ts", "capture may not import compare"],
    ]);
  });

  test("a type-position import()", () => {
    expect(reasons(`let spec: typeof import("../run/index.ts").RunSpec;`)).toEqual([[1, "../run/index.ts", "capture may not import run"]]);
  });

  test("an import whose module is computed at run time, since it cannot be checked", () => {
    expect(forbidden(`const name = "run";\nconst m = await import(\`../\${name}/index.ts\`);\nconst r = require(name);`).map((v) => [v.line, v.specifier])).toEqual([
      [2, "`../${name}/index.ts`"],
      [3, "name"],
    ]);
  });

  test("ignores import-like text in comments and strings", () => {
    expect(forbidden(`// import { x } from "../run/index.ts";\n/* require("../run/index.ts") */\nconst s = 'import("../run/index.ts")';\nconst t = "export * from '../run/index.ts'";`)).toEqual([]);
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
        ["review/sarif.ts", `import { a } from "../schema/index.ts";\nimport { b } from "../evidence/index.ts";\nimport { c } from "../projection/index.ts";\nimport { d } from "../compare/index.ts";`],
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
