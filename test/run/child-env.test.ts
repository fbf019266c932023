import { describe, expect, test } from "bun:test";
import { buildChildEnv } from "../../src/run/index.ts";

const parent = { PATH: "/usr/bin", LD_PRELOAD: "/x.so", LD_LIBRARY_PATH: "/l", LOCPATH: "/p", GCONV_PATH: "/g", LD_AUDIT: "/a", LANG: "de_DE.UTF-8", HOME: "/root", EMPTY: undefined };
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
