import { describe, expect, test } from "bun:test";
import { globShape, globToRegExp } from "../../src/projection/index.ts";

describe("globToRegExp", () => {
  const matches = (pattern: string, paths: string[]) => paths.filter((p) => globToRegExp(pattern).test(p));

  test("`**/` is zero or more whole segments and a trailing `/**` the directory itself or below", () => {
    expect(matches("**/node_modules/**", ["/a/node_modules/x", "node_modules", "/a/node_modules", "/a/xnode_modules/y", "/a/node_modulesx"])).toEqual([
      "/a/node_modules/x",
      "node_modules",
      "/a/node_modules",
    ]);
  });

  test("`*` and `?` stay within one segment; other characters are literal", () => {
    expect(matches("/usr/lib/python3*/**", ["/usr/lib/python3.12/os.py", "/usr/lib/python3", "/usr/lib/python2/x", "/usr/lib/python3/a/b"])).toEqual([
      "/usr/lib/python3.12/os.py",
      "/usr/lib/python3",
      "/usr/lib/python3/a/b",
    ]);
    expect(matches("/a?c", ["/abc", "/a/c", "/a\u{1F600}c", "/ac"])).toEqual(["/abc", "/a\u{1F600}c"]);
    expect(matches("/a.b(c)", ["/a.b(c)", "/axb(c)"])).toEqual(["/a.b(c)"]);
  });
});

describe("globShape", () => {
  test("picks a table lookup for the common shapes and a regular expression otherwise", () => {
    expect(["/etc/hosts", "/usr/share/zoneinfo/**", "**/.cargo/registry/**", "**/libc.so.6", "**/lib*.so*", "/a//**"].map((p) => globShape(p).kind)).toEqual([
      "exact",
      "prefix",
      "segments",
      "basename",
      "regex",
      "regex",
    ]);
  });

  test("a regular expression shape builds its expression once, when first read, equal to the glob's", () => {
    const shape = globShape("/usr/lib/python3*/**");
    if (shape.kind !== "regex") throw new Error(`expected a regex shape, got ${shape.kind}`);
    expect(Object.getOwnPropertyDescriptor(shape, "regex")?.get).toBeFunction();
    expect(shape.regex).toBe(shape.regex);
    expect(shape.regex.source).toBe(globToRegExp("/usr/lib/python3*/**").source);
    expect(shape.head).toBe("/usr/lib/python3");
  });
});
