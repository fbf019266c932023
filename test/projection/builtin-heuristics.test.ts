import { describe, expect, test } from "bun:test";
import { classifyPath, compileRulesOrThrow } from "../../src/projection/index.ts";

const builtin = compileRulesOrThrow({ schema: "assay.runner.projection_rules.v0", heuristics: "builtin", workdir_prefixes: ["/w"] });
const classOf = (path: string) => {
  const c = classifyPath(path, builtin);
  return [c.path_class, c.confidence];
};

describe("the built-in heuristics", () => {
  test("classify typical runtime noise with heuristic confidence", () => {
    const paths = {
      "/home/u/app/node_modules/lodash/index.js": "runtime_package",
      "/home/u/app/node_modules/openai/index.js": "provider_sdk",
      "/home/u/app/node_modules/@google/genai/dist/index.js": "provider_sdk",
      "/usr/lib/python3/dist-packages/yaml/__init__.py": "runtime_package",
      "/venv/lib/python3.12/site-packages/anthropic/_client.py": "provider_sdk",
      "/home/u/.cache/pip/http/x": "cache",
      "/home/u/.npm/_cacache/index-v5/aa": "cache",
      "/app/__pycache__/m.cpython-312.pyc": "cache",
      "/lib/x86_64-linux-gnu/libc.so.6": "loader",
      "/lib64/ld-linux-x86-64.so.2": "loader",
      "/etc/ld.so.cache": "loader",
      "/usr/share/zoneinfo/Europe/Amsterdam": "loader",
      "/usr/lib/locale/C.utf8/LC_CTYPE": "loader",
      "/etc/resolv.conf": "loader",
      "/usr/lib/python3.12/encodings/__init__.py": "loader",
      "/opt/actions-runner/_work/_temp/x.sh": "experiment_harness",
      "/runs/r1/sdk-events.ndjson": "experiment_harness",
    };
    expect(Object.fromEntries(Object.keys(paths).map((p) => [p, classOf(p)]))).toEqual(
      Object.fromEntries(Object.entries(paths).map(([p, cls]) => [p, [cls, "heuristic"]])),
    );
  });

  test("leave what they do not know as unknown, and never beat a declared rule", () => {
    expect(classOf("/proc/self/status")).toEqual(["unknown", "unknown"]);
    expect(classOf("/w/node_modules/openai/x.js")).toEqual(["workload_fixture", "declared"]);
  });

  test("project to the class name, keeping an operation prefix", () => {
    expect(classifyPath("open_read:/home/u/.cache/x", builtin).projected_path).toBe("open_read:cache");
  });
});
