import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadArchive, verifyArchive } from "../../src/evidence/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";
import { gz, tarOf } from "./_tar.ts";

const realArchive = join(upstreamFixtures, "archives", "run_arm_a-openai_20260525T113813Z_1", "archive.tar.gz");

function write(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("verifyArchive on broken NDJSON", () => {
  async function realMembers(): Promise<Map<string, Uint8Array>> {
    const loaded = await loadArchive(realArchive);
    if (!loaded.ok) throw new Error("unreadable");
    return new Map(loaded.value.members);
  }

  function pack(members: Map<string, Uint8Array>): Uint8Array {
    return gz(tarOf([...members].map(([name, data]) => ({ name, data }))));
  }

  test("invalid UTF-8 is an issue naming member and line", async () => {
    using dir = tempDir("hostile");
    const members = await realMembers();
    const kernel = Buffer.from(members.get("layers/kernel.ndjson") as Uint8Array);
    const lines = kernel.toString("latin1").split("\n");
    lines[2] = `${lines[2]?.slice(0, 40)}\xff\xfe${lines[2]?.slice(40)}`;
    members.set("layers/kernel.ndjson", Buffer.from(lines.join("\n"), "latin1"));
    const report = await verifyArchive(write(dir.path, "a.tar.gz", pack(members)));
    expect(report.issues.filter((i) => i.code === "INVALID_UTF8").map((i) => [i.member, i.line])).toEqual([["layers/kernel.ndjson", 3]]);
  });

  test("a 10 MB single line is reported as too long, neither kept nor parsed", async () => {
    using dir = tempDir("hostile");
    const members = await realMembers();
    const sdk = Buffer.from(members.get("layers/sdk.ndjson") as Uint8Array);
    const hugeLine = `{"schema":"${"a".repeat(10 * 10 ** 6)}"}`;
    members.set("layers/sdk.ndjson", Buffer.concat([sdk, Buffer.from(`${hugeLine}\n`)]));
    const report = await verifyArchive(write(dir.path, "a.tar.gz", pack(members)));
    expect(report.issues.filter((i) => i.code === "LINE_TOO_LONG").map((i) => [i.member, i.line, i.received])).toEqual([
      ["layers/sdk.ndjson", 6, `${hugeLine.length} bytes`],
    ]);
  });

  test("an unknown extra member and a missing one are both issues", async () => {
    using dir = tempDir("hostile");
    const members = await realMembers();
    members.delete("layers/policy.ndjson");
    members.set("notes.txt", new TextEncoder().encode("hello"));
    const report = await verifyArchive(write(dir.path, "a.tar.gz", pack(members)));
    expect(report.issues.filter((i) => i.code.startsWith("MEMBER_")).map((i) => [i.code, i.member])).toEqual([
      ["MEMBER_UNKNOWN", "notes.txt"],
      ["MEMBER_MISSING", "layers/policy.ndjson"],
    ]);
  });

  test("a row whose run id differs from the manifest's, and a seq gap, name member, line and field", async () => {
    using dir = tempDir("hostile");
    const members = await realMembers();
    const text = Buffer.from(members.get("layers/sdk.ndjson") as Uint8Array).toString("utf8");
    const lines = text.split("\n");
    lines[1] = (lines[1] as string).replace(/"run_id":"[^"]*"/, '"run_id":"run_other"');
    lines[3] = (lines[3] as string).replace(/"seq":3/, '"seq":7');
    members.set("layers/sdk.ndjson", Buffer.from(lines.join("\n")));
    const report = await verifyArchive(write(dir.path, "a.tar.gz", pack(members)));
    const relevant = report.issues.filter((i) => i.member === "layers/sdk.ndjson").map((i) => [i.code, i.line, i.path]);
    expect(relevant).toEqual([
      ["RUN_ID_MISMATCH", 2, "run_id"],
      ["SEQ_OUT_OF_ORDER", 4, "seq"],
      ["MEMBER_DIGEST_MISMATCH", undefined, 'files["layers/sdk.ndjson"].sha256'],
      ["MEMBER_SIZE_MISMATCH", undefined, 'files["layers/sdk.ndjson"].bytes'],
    ]);
  });
});

describe("verifyArchive on a forged manifest", () => {
  test("a byte count beyond 2^53 is compared exactly, not skipped", async () => {
    using dir = tempDir("forged");
    const loaded = await loadArchive(realArchive);
    if (!loaded.ok) throw new Error("unreadable");
    const members = new Map(loaded.value.members);
    const manifest = Buffer.from(members.get("manifest.json") as Uint8Array)
      .toString("utf8")
      .replace('"bytes":0', '"bytes":18446744073709551615');
    members.set("manifest.json", Buffer.from(manifest));
    const path = write(dir.path, "a.tar.gz", gz(tarOf([...members].map(([name, data]) => ({ name, data })))));
    const report = await verifyArchive(path);
    expect(report.issues.filter((i) => i.code === "MEMBER_SIZE_MISMATCH").map((i) => [i.member, i.expected, i.received])).toEqual([
      ["layers/policy.ndjson", "18446744073709551615", "0"],
    ]);
  });
});
