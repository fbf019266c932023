import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { formatIssue } from "../../src/schema/index.ts";
import { verifyArchive } from "../../src/evidence/index.ts";
import { runAssay, upstreamFixtures } from "../harness.ts";

const archive = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
const tampered = join(upstreamFixtures, "extracted/tampered-trailing-newline");
const intactDir = join(upstreamFixtures, "extracted/intact-open-metadata");

describe("assay-runner verify", () => {
  test("accepts a real upstream archive: exit 0, one success line naming run and manifest digest", async () => {
    const report = await verifyArchive(archive);
    const outcome = await runAssay(["verify", archive]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: `[success] ${archive}: valid archive of run run_arm_a-openai_20260525T113813Z_1 (8 members, manifest ${report.manifestDigest})\n`,
      exitCode: 0,
    });
  });

  test("accepts an extracted directory and prints one JSON report with --json", async () => {
    const outcome = await runAssay(["verify", intactDir, "--json"]);
    const document = JSON.parse(outcome.stdout) as { valid: boolean; kind: string; readable: boolean; issues: unknown[]; members: { name: string }[] };
    expect({
      exitCode: outcome.exitCode,
      stderr: outcome.stderr,
      valid: document.valid,
      kind: document.kind,
      readable: document.readable,
      issues: document.issues,
      members: document.members.length,
    }).toEqual({
      exitCode: 0,
      stderr: "",
      valid: true,
      kind: "directory",
      readable: true,
      issues: [],
      members: 8,
    });
  });

  test("rejects a tampered directory with exit 1, one line per issue naming member and field", async () => {
    const report = await verifyArchive(tampered);
    const outcome = await runAssay(["verify", tampered]);
    const lines = report.issues.map((issue) => `[error] ${formatIssue(issue)}`);
    lines.push(`[error] ${tampered}: INVALID — 6 issues in capability-surface.json, correlation-report.json, observation-health.json`);
    expect(outcome).toEqual({ stdout: "", stderr: `${lines.join("\n")}\n`, exitCode: 1 });
  });

  test("reports the tampered directory's issues in --json with exit 1", async () => {
    const outcome = await runAssay(["verify", tampered, "--json"]);
    const document = JSON.parse(outcome.stdout) as { valid: boolean; issues: { code: string; member: string }[] };
    expect({ exitCode: outcome.exitCode, valid: document.valid, issues: document.issues.map((i) => `${i.code} ${i.member}`) }).toEqual({
      exitCode: 1,
      valid: false,
      issues: [
        "MEMBER_DIGEST_MISMATCH capability-surface.json",
        "MEMBER_SIZE_MISMATCH capability-surface.json",
        "MEMBER_DIGEST_MISMATCH correlation-report.json",
        "MEMBER_SIZE_MISMATCH correlation-report.json",
        "MEMBER_DIGEST_MISMATCH observation-health.json",
        "MEMBER_SIZE_MISMATCH observation-health.json",
      ],
    });
  });

  test("exits 2 on a path that does not exist, naming it", async () => {
    const outcome = await runAssay(["verify", "/nonexistent/archive.tar.gz"]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: "[error] cannot read archive /nonexistent/archive.tar.gz: ENOENT: no such file or directory, stat '/nonexistent/archive.tar.gz'\n",
      exitCode: 2,
    });
  });

  test("exits 2 without an archive argument: the error, then where the usage is", async () => {
    const outcome = await runAssay(["verify"]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: "[error] --archive: an ARCHIVE or DIR to verify is required\nsee assay-runner verify --help\n",
      exitCode: 2,
    });
  });
});
