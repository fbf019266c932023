// Helpers for run e2e tests: open and verify an archive the runner wrote, and look for leftovers
// (session directories, workload processes, temporary archive files).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadArchive, verifyArchive } from "../../src/evidence/index.ts";
import { formatIssue } from "../../src/schema/index.ts";
import { locateCgroupHost } from "../../src/linux/index.ts";
import { runAssay } from "../harness.ts";

/** An archive's members, read after a full verification. */
export interface OpenedArchive {
  /** Issues our verifier found (empty for a good archive), formatted. */
  readonly issues: readonly string[];
  readonly manifestDigest: string | undefined;
  readonly members: ReadonlyMap<string, Uint8Array>;
  text(member: string): string;
  json(member: string): any;
  rows(member: string): any[];
}

/** Verifies an archive with the evidence library (and the binary's `verify` once built) and loads its members. */
export async function openArchive(path: string): Promise<OpenedArchive> {
  const report = await verifyArchive(path);
  const issues = report.issues.map(formatIssue);
  const binary = await runAssay(["verify", path]);
  // Hint: until the verify command lands its placeholder answers "not built yet"; the library check above still ran.
  if (!binary.stderr.includes("not built yet") && binary.exitCode !== 0) issues.push(`assay-runner verify exited ${binary.exitCode}: ${binary.stderr}`);
  const loaded = await loadArchive(path);
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join("\n"));
  const members = loaded.value.members;
  const text = (member: string): string => new TextDecoder().decode(members.get(member) ?? new Uint8Array());
  return {
    issues,
    manifestDigest: report.manifestDigest,
    members,
    text,
    json: (member) => JSON.parse(text(member)),
    rows: (member) =>
      text(member)
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line)),
  };
}

/** Session directories (`assay-session-*`) left under the parent a run would use. */
export function leftoverSessions(runId: string): string[] {
  const host = locateCgroupHost();
  if (!host.ok) return [];
  return readdirSync(host.parent).filter((name) => name.startsWith(`assay-session-${runId}`));
}

/** Pids whose command line contains `marker` (a /proc scan, like `pgrep -f`). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(join("/proc", entry, "cmdline"), "utf8").replaceAll("\0", " ");
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // Hint: the process exited during the scan.
    }
  }
  return found;
}

/** Files in a directory, e.g. to prove no partial archive or temporary file is left. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Writes a redaction key file (fixed bytes) and returns its path, so runs share one key and never touch /var/lib/assay. */
export function writeKeyFile(dir: string, seed = "assay-test-key"): string {
  const bytes = new Bun.CryptoHasher("sha256").update(seed).digest();
  const file = join(dir, "redaction.key");
  writeFileSync(file, `assay-redaction-key-v1:${Buffer.from(bytes).toString("base64url")}\n`, { mode: 0o600 });
  return file;
}
