import { describe, expect, test } from "bun:test";
import { buildBaseline, checkRun, fingerprintOf } from "../../src/review/index.ts";
import { BUILTIN_RULES, projected, type RunShape } from "./_runs.ts";

const base: RunShape = { runId: "b1", reads: ["/srv/in.txt"], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9"] };
const baseline = buildBaseline(BUILTIN_RULES, projected([base, { ...base, runId: "b2" }])).baseline;

function findings(shape: RunShape): [string, string][] {
  return checkRun(projected([shape])[0]!, baseline).findings.map((f) => [f.rule, f.subject]);
}

describe("checkRun", () => {
  test("a run doing what the baseline runs did is inside", () => {
    const report = checkRun(projected([{ ...base, runId: "h1" }])[0]!, baseline);
    expect([report.status, report.findings, report.counts]).toEqual(["inside", [], { paths: 2, writes: 1, execs: 1, endpoints: 1 }]);
  });

  test("reports a new write, a new program, a new endpoint and a new path class, each once", () => {
    const head = {
      ...base,
      runId: "h2",
      writes: ["/w/out.txt", "/w/new.txt"],
      execs: ["/usr/bin/sh", "/usr/bin/curl"],
      endpoints: ["127.0.0.1:9", "127.0.0.1:10"],
      reads: ["/srv/in.txt", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
    };
    expect(findings(head)).toEqual([
      ["new-exec", "/usr/bin/curl"],
      ["new-write", "/w/new.txt"],
      ["new-endpoint", "127.0.0.1:10"],
      ["new-path-class", "loader"],
    ]);
  });

  test("an endpoint with a name from the run's DNS is reviewed by name and port, so a new address behind the same name is not new", () => {
    const named: RunShape = { ...base, runId: "n1", endpoints: ["203.0.113.80:443"], names: { "203.0.113.80:443": "registry.npmjs.org" } };
    const namedBaseline = buildBaseline(BUILTIN_RULES, projected([named])).baseline;
    const moved = { ...named, runId: "n2", endpoints: ["203.0.113.99:443"], names: { "203.0.113.99:443": "registry.npmjs.org" } };
    const elsewhere = { ...named, runId: "n3", endpoints: ["203.0.113.99:443"], names: { "203.0.113.99:443": "evil.example" } };
    const check = (shape: RunShape) => checkRun(projected([shape])[0]!, namedBaseline).findings.map((f) => [f.rule, f.subject]);
    expect({ moved: check(moved), elsewhere: check(elsewhere) }).toEqual({ moved: [], elsewhere: [["new-endpoint", "evil.example:443"]] });
  });

  test("a write to a path the baseline only read is a new write", () => {
    expect(findings({ ...base, runId: "h3", writes: ["/w/out.txt", "/srv/in.txt"] })).toEqual([["new-write", "/srv/in.txt"]]);
  });

  test("a partial or absent kernel layer is a health finding, first", () => {
    expect(findings({ ...base, runId: "h4", kernelLayer: "partial_ringbuf_drops" })).toEqual([["observation-health", "ringbuf_drops"]]);
    expect(findings({ ...base, runId: "h5", kernelLayer: "absent", reads: [], writes: [], execs: [], endpoints: [] })).toEqual([
      ["observation-health", "kernel_layer"],
    ]);
  });

  test("fingerprints depend on rule and subject only, so the same finding keeps its identity across runs", () => {
    const a = checkRun(projected([{ ...base, runId: "h6", execs: ["/bin/x"] }])[0]!, baseline).findings[0]!;
    const b = checkRun(projected([{ ...base, runId: "h7", execs: ["/bin/x"] }])[0]!, baseline).findings[0]!;
    expect([a.fingerprint, b.fingerprint, a.fingerprint === fingerprintOf("new-write", "/bin/x")]).toEqual([
      fingerprintOf("new-exec", "/bin/x"),
      fingerprintOf("new-exec", "/bin/x"),
      false,
    ]);
  });
});
