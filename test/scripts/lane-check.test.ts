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
