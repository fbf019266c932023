import { describe, expect, test } from "bun:test";
import { buildDriftReport, kernelFileOperations, observeArchive, parseDriftProjectionRules } from "../../src/compare/index.ts";
import { arm } from "./_arms.ts";

const enc = new TextEncoder();
const sha = () => "0".repeat(64);

describe("observeArchive", () => {
  test("keeps surface duplicates, drops non-strings and sorts by code point", () => {
    expect(arm("a", { filesystem_paths: ["/b", "/a", "/b", 7 as unknown as string, "\u{1F600}", "\uFF21"] }).surface.filesystem_paths).toEqual([
      "/a",
      "/b",
      "/b",
      "\uFF21",
      "\u{1F600}",
    ]);
  });

  test("sorts astral values spelled as JSON escapes by code point, also in the drift rows built from them", () => {
    // Both sides spell U+1F600 as an escaped surrogate pair, so neither text holds a raw astral character.
    const observed = (paths: string) => {
      const surface = enc.encode(`{"filesystem_paths":${paths}}`);
      const result = observeArchive(
        "arch",
        (name) => (name === "manifest.json" ? enc.encode("{}") : name === "capability-surface.json" ? surface : undefined),
        sha,
      );
      if (!result.ok) throw new Error(result.issues[0].message);
      return result.value;
    };
    const a = observed('["\\ud83d\\ude00","\\uff21","/a"]');
    const b = observed('["\\ud83d\\ude00"]');
    const rules = parseDriftProjectionRules({ pathAliases: [], networkAliases: [], networkCidrs: [] });
    const row = buildDriftReport(a, b, { fixturePaths: [], providerHosts: [], rules, provenance: {} }).rows[0];
    expect([a.surface.filesystem_paths, row?.only_in_a, row?.only_in_b, row?.in_both]).toEqual([
      ["/a", "\uFF21", "\u{1F600}"],
      ["/a", "\uFF21"],
      [],
      ["\u{1F600}"],
    ]);
  });

  test("reports missing manifest and surface, corrupt JSON, invalid UTF-8 and non-object SDK lines as unreadable archives", () => {
    const manifest = enc.encode("{}");
    const surface = enc.encode("{}");
    const cases: Record<string, Uint8Array>[] = [
      {},
      { "manifest.json": manifest },
      { "manifest.json": enc.encode("{"), "capability-surface.json": surface },
      { "manifest.json": manifest, "capability-surface.json": enc.encode("[]") },
      { "manifest.json": manifest, "capability-surface.json": surface, "layers/sdk.ndjson": enc.encode("{}\n\n[1]\n") },
      { "manifest.json": manifest, "capability-surface.json": surface, "observation-health.json": new Uint8Array([0xff]) },
    ];
    expect(
      cases.map((members) => {
        const result = observeArchive("arch", (name) => members[name], sha);
        return result.ok ? "ok" : `${result.issues[0].member}:${result.issues[0].line ?? ""}`;
      }),
    ).toEqual(["manifest.json:", "capability-surface.json:", "manifest.json:", "capability-surface.json:", "layers/sdk.ndjson:3", "observation-health.json:"]);
  });

  test("reads the runtime label from the first event with a source, and counts every SDK line", () => {
    const a = arm("a", { sdk: [{ seq: 0 }, { seq: 1, source: "" }, { seq: 2, source: "gemini-genai" }, { seq: 3, source: "later" }] });
    expect([a.runtimeLabel, a.sdkEventCount, a.manifestDigest.startsWith("sha256:")]).toEqual(["gemini-genai", 4, true]);
  });
});

describe("kernelFileOperations", () => {
  test("emits access mode and flag operations of successful opens, skipping failed opens and non-open rows", () => {
    expect(
      kernelFileOperations([
        { kind: "openat", value: "/o", access_mode: "write", operation_flags: ["create", "truncate", ""], status: "success" },
        { kind: "openat", value: "/old" },
        { kind: "openat", value: "/r", access_mode: "read" },
        { kind: "openat", value: "/fail", access_mode: "read", status: "error" },
        { kind: "connect", value: "1.1.1.1:53", access_mode: "read" },
      ]),
    ).toEqual(["create:/o", "read:/r", "truncate:/o", "write:/o"]);
  });
});
