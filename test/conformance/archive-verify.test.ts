import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { verifyArchive } from "../../src/evidence/index.ts";
import { upstreamFixtures } from "../harness.ts";

const archives = readdirSync(join(upstreamFixtures, "archives"))
  .sort()
  .map((run) => join(upstreamFixtures, "archives", run, "archive.tar.gz"));

function membersNamed(issues: readonly { member?: string }[]): string[] {
  return [...new Set(issues.flatMap((issue) => (issue.member === undefined ? [] : [issue.member])))].sort();
}

describe("verifyArchive on upstream data", () => {
  for (const path of archives) {
    test(`accepts the real archive ${path.split("/").at(-2)}`, async () => {
      const report = await verifyArchive(path);
      expect({ valid: report.valid, issues: report.issues, kind: report.kind, members: report.members.length }).toEqual({
        valid: true,
        issues: [],
        kind: "tar.gz",
        members: 8,
      });
    });
  }

  for (const name of ["intact-no-open-metadata", "intact-open-metadata"]) {
    test(`accepts the extracted directory ${name}`, async () => {
      const report = await verifyArchive(join(upstreamFixtures, "extracted", name));
      expect({ valid: report.valid, issues: report.issues, kind: report.kind }).toEqual({ valid: true, issues: [], kind: "directory" });
    });
  }

  test("rejects tampered-trailing-newline, naming the three JSON members whose digest and length changed", async () => {
    const report = await verifyArchive(join(upstreamFixtures, "extracted", "tampered-trailing-newline"));
    expect({ valid: report.valid, members: membersNamed(report.issues), codes: [...new Set(report.issues.map((i) => i.code))].sort() }).toEqual({
      valid: false,
      members: ["capability-surface.json", "correlation-report.json", "observation-health.json"],
      codes: ["MEMBER_DIGEST_MISMATCH", "MEMBER_SIZE_MISMATCH"],
    });
  });

  test("rejects tampered-trailing-newline-incl-manifest, naming the changed members", async () => {
    const report = await verifyArchive(join(upstreamFixtures, "extracted", "tampered-trailing-newline-incl-manifest"));
    expect({ valid: report.valid, members: membersNamed(report.issues) }).toEqual({
      valid: false,
      members: ["capability-surface.json", "correlation-report.json", "observation-health.json"],
    });
  });

  for (const arm of ["arm-a-openai", "arm-b-gemini"]) {
    test(`rejects the hand-written ${arm}: missing members, a 4-file manifest, notes instead of bindings`, async () => {
      const report = await verifyArchive(join(upstreamFixtures, "hand-written-arms", arm));
      const missing = report.issues.filter((i) => i.code === "MEMBER_MISSING").map((i) => i.member);
      expect({
        valid: report.valid,
        missing,
        members: membersNamed(report.issues),
        correlationFields: report.issues
          .filter((i) => i.member === "correlation-report.json")
          .map((i) => i.path)
          .sort(),
      }).toEqual({
        valid: false,
        missing: ["events.ndjson", "layers/policy.ndjson"],
        members: ["capability-surface.json", "correlation-report.json", "events.ndjson", "layers/policy.ndjson", "manifest.json"],
        correlationFields: ["ambiguities", "bindings"],
      });
    });
  }

  test("reports the manifest digest as sha256 of the exact manifest bytes", async () => {
    const path = archives[0] as string;
    const report = await verifyArchive(path);
    const { loadArchive } = await import("../../src/evidence/index.ts");
    const loaded = await loadArchive(path);
    if (!loaded.ok) throw new Error("unreadable");
    const manifest = loaded.value.members.get("manifest.json") as Uint8Array;
    expect(report.manifestDigest).toBe(`sha256:${new Bun.CryptoHasher("sha256").update(manifest).digest("hex")}`);
  });
});
