import { describe, expect, test } from "bun:test";
import { buildChildEnv, readRunnerEnvironment } from "../../src/run/index.ts";

const parent = {
  PATH: "/usr/bin",
  LD_PRELOAD: "/x.so",
  LD_LIBRARY_PATH: "/l",
  LOCPATH: "/p",
  GCONV_PATH: "/g",
  LD_AUDIT: "/a",
  LANG: "de_DE.UTF-8",
  HOME: "/root",
  EMPTY: undefined,
};
const sdk = { ASSAY_RUNNER_RUN_ID: "run_1" };

describe("buildChildEnv", () => {
  test("with --upstream-env-scrub removes loader variables and pins the C locale, as upstream (§2.3)", () => {
    expect(buildChildEnv(parent, sdk, { scrub: true })).toEqual({ PATH: "/usr/bin", HOME: "/root", LANG: "C", LC_ALL: "C", ASSAY_RUNNER_RUN_ID: "run_1" });
  });
  test("by default passes everything on exactly and adds the spec env, under every backend", () => {
    expect(buildChildEnv(parent, sdk, { scrub: false })).toEqual({
      PATH: "/usr/bin",
      LD_PRELOAD: "/x.so",
      LD_LIBRARY_PATH: "/l",
      LOCPATH: "/p",
      GCONV_PATH: "/g",
      LD_AUDIT: "/a",
      LANG: "de_DE.UTF-8",
      HOME: "/root",
      ASSAY_RUNNER_RUN_ID: "run_1",
    });
  });
});

describe("readRunnerEnvironment", () => {
  test("keeps /proc/self/environ's order and bytes, the first of a repeated name, and names that are no identifiers", () => {
    const environ = new TextEncoder().encode("A=1\0TZ=UTC\0BASH_FUNC_f%%=() {  echo f\n}\0A=2\0=bad\0noequals\0B=x=y\0");
    const env = readRunnerEnvironment(() => environ);
    expect(Object.entries(env)).toEqual([
      ["A", "1"],
      ["TZ", "UTC"],
      ["BASH_FUNC_f%%", "() {  echo f\n}"],
      ["B", "x=y"],
    ]);
  });

  test("falls back to process.env when the file is not UTF-8", () => {
    expect(readRunnerEnvironment(() => Uint8Array.of(0x41, 0x3d, 0xff))).toEqual({ ...process.env });
  });
});
