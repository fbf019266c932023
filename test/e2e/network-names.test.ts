import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";
import { RESOLVE_THEN_CONNECT, writeNamedArchive } from "../egress/_named-archive.ts";

const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)");

const RULES = JSON.stringify({ schema: "assay.runner.projection_rules.v0", network: { hosts: { "example.test": "provider_api" } } });

describe.skipIf(noBinary)("network names through the binary", () => {
  test("verify accepts an archive with DNS rows; project classifies the resolved endpoint by a hosts rule", async () => {
    using dir = tempDir("names-e2e", { "rules.json": RULES });
    const archive = await writeNamedArchive(dir.path, "run_names");
    const verified = await runAssay(["verify", archive, "--json"]);
    expect([verified.exitCode, JSON.parse(verified.stdout).valid]).toEqual([0, true]);
    const projected = await runAssay(["project", archive, "--rules", join(dir.path, "rules.json"), "--format", "ndjson"]);
    expect(projected.exitCode).toBe(0);
    const endpoints = projected.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.raw_endpoint !== undefined);
    expect(endpoints.map((r) => [r.raw_endpoint, r.network_class, r.host ?? null, r.host_source ?? null])).toEqual([
      ["127.0.0.2:443", "provider_api", "api.example.test", "resolved"],
      ["127.0.0.53:53", "unknown", null, null],
      ["203.0.113.80:443", "unknown", null, null],
    ]);
  });

  test("egress-policy derives the same bytes from archives in any order and writes -o whole", async () => {
    using dir = tempDir("names-e2e");
    const a = await writeNamedArchive(dir.path, "run_a");
    const b = await writeNamedArchive(dir.path, "run_b", [
      { direction: "query", source: "capture", pid: 9, name: "www.example.test", type: "A", resolver: "127.0.0.53", resolver_port: 53 },
      { direction: "answer", source: "capture", pid: 9, name: "www.example.test", type: "A", rcode: "NOERROR", answers: [{ address: "127.0.0.3", ttl: 5, cnames: ["edge.example.test"] }] },
      { connect: "127.0.0.3:8443" },
    ]);
    const out1 = join(dir.path, "p1.json");
    const first = await runAssay(["egress-policy", a, b, "-o", out1]);
    const second = await runAssay(["egress-policy", b, a, "--json"]);
    expect([first.exitCode, first.stdout, second.exitCode]).toEqual([0, "", 0]);
    const policy = JSON.parse(readFileSync(out1, "utf8"));
    expect(policy).toEqual({
      schema: "assay.runner.egress_policy.v0",
      endpoints: ["127.0.0.53:53", "203.0.113.80:443"],
      cidrs: [],
      ports: [],
      hosts: [{ name: "api.example.test", ports: [443] }, { name: "www.example.test", ports: [8443] }],
    });
    expect(JSON.parse(second.stdout).policy).toEqual(policy);
    expect(JSON.parse(second.stdout).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const none = await runAssay(["egress-policy"]);
    expect([none.exitCode, none.stdout, none.stderr.includes("at least one ARCHIVE is required")]).toEqual([2, "", true]);
    const missing = await runAssay(["egress-policy", join(dir.path, "nope.tar.gz")]);
    expect([missing.exitCode, missing.stdout, missing.stderr.includes("nope.tar.gz: archive path does not exist")]).toEqual([2, "", true]);
  });

  test("diff shows each side's names; drift classifies by --network-host through names", async () => {
    using dir = tempDir("names-e2e");
    const a = await writeNamedArchive(dir.path, "run_a");
    const b = await writeNamedArchive(dir.path, "run_b", RESOLVE_THEN_CONNECT.filter((s) => !("connect" in s && s.connect.startsWith("203."))));
    const diff = await runAssay(["diff", a, b, "--allow-partial"]);
    const doc = JSON.parse(diff.stdout);
    expect(doc.network_names).toEqual({
      base: { "127.0.0.2:443": [{ host: "api.example.test", source: "resolved" }] },
      head: { "127.0.0.2:443": [{ host: "api.example.test", source: "resolved" }] },
    });
    const outJson = join(dir.path, "drift.json");
    const drift = await runAssay(["drift", a, b, "--network-host", "example.test=provider_api", "--out-json", outJson]);
    expect(drift.exitCode === 0 || drift.exitCode === 1).toBe(true);
    const report = JSON.parse(readFileSync(outJson, "utf8"));
    const row = report.rows.find((r: { dimension: string }) => r.dimension === "network_endpoints");
    expect(JSON.stringify(row.projection)).toContain('"host":"api.example.test"');
  });
});
