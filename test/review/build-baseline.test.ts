import { describe, expect, test } from "bun:test";
import { buildBaseline, mergeBaseline, renderBaseline } from "../../src/review/index.ts";
import { validateBaseline } from "../../src/schema/index.ts";
import { BUILTIN_RULES, projected, type RunShape } from "./_runs.ts";

const lib = (n: number) => Array.from({ length: n }, (_, i) => `/opt/tool/lib/m${i}.so`);
const RUNS: RunShape[] = [
  { runId: "r1", reads: ["/srv/in.txt", ...lib(10)], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9"] },
  { runId: "r2", reads: ["/srv/in.txt", ...lib(9)], writes: ["/w/out.txt", "/w/log.txt"], execs: ["/usr/bin/sh", "/usr/bin/cat"], endpoints: ["127.0.0.1:9"] },
  { runId: "r3", reads: ["/srv/in.txt", "/w/log.txt"], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9", "10.0.0.1:443"] },
];

describe("buildBaseline", () => {
  test("takes the union of the runs, counts the runs per entry, and collapses a wide directory", () => {
    const { baseline } = buildBaseline(BUILTIN_RULES, projected(RUNS));
    expect({
      run_count: baseline.run_count,
      runs: baseline.runs.map((r) => r.run_id),
      path_classes: baseline.path_classes,
      paths: baseline.paths,
      execs: baseline.execs,
      endpoints: baseline.endpoints,
    }).toEqual({
      run_count: 3,
      runs: ["r1", "r2", "r3"],
      path_classes: [{ class: "unknown", runs: 3 }],
      paths: [
        { match: "glob", pattern: "/opt/tool/lib/*", path_class: "unknown", access: "read", runs: 2 },
        { match: "exact", pattern: "/srv/in.txt", path_class: "unknown", access: "read", runs: 3 },
        // Read in r3, written in r2: a write entry, and both runs count.
        { match: "exact", pattern: "/w/log.txt", path_class: "unknown", access: "write", runs: 2 },
        { match: "exact", pattern: "/w/out.txt", path_class: "unknown", access: "write", runs: 3 },
      ],
      execs: [
        { match: "exact", pattern: "/usr/bin/cat", runs: 1 },
        { match: "exact", pattern: "/usr/bin/sh", runs: 3 },
      ],
      endpoints: [
        { endpoint: "10.0.0.1:443", network_class: "unknown", runs: 1 },
        { endpoint: "127.0.0.1:9", network_class: "unknown", runs: 3 },
      ],
    });
    expect(validateBaseline(JSON.parse(renderBaseline(baseline)), { file: "b.json" })).toEqual({ ok: true, value: baseline });
  });

  test("is byte-identical when built from the same runs in another order", () => {
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ].map((order) => renderBaseline(buildBaseline(BUILTIN_RULES, projected(order.map((i) => RUNS[i]!))).baseline));
    expect(new Set(orders).size).toBe(1);
  });
});

describe("mergeBaseline", () => {
  test("keeps reviewed entries in their order, raises their counts, appends what is new after them", () => {
    const first = buildBaseline(BUILTIN_RULES, projected(RUNS.slice(0, 1))).baseline;
    // A reviewer moved an entry to the top and widened a glob by hand.
    const entry = (pattern: string) => first.paths.find((p) => p.pattern === pattern)!;
    const reviewed = {
      ...first,
      paths: [entry("/w/out.txt"), { ...entry("/srv/in.txt"), pattern: "/srv/*", match: "glob" as const }, entry("/opt/tool/lib/*")],
    };
    const { baseline, skipped } = mergeBaseline(reviewed, projected(RUNS));
    expect({ skipped, runs: baseline.runs.map((r) => r.run_id), paths: baseline.paths.map((p) => [p.pattern, p.access, p.runs]) }).toEqual({
      // r1 is already in the baseline: not counted twice.
      skipped: [first.runs[0]!.manifest_digest],
      runs: ["r1", "r2", "r3"],
      paths: [
        ["/w/out.txt", "write", 3],
        ["/srv/*", "read", 3],
        ["/opt/tool/lib/*", "read", 2],
        ["/w/log.txt", "write", 2],
      ],
    });
  });
});
