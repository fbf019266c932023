import { beforeAll, afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJson } from "../../src/evidence/index.ts";
import {
  checkArchiveDocuments,
  MEMBER_NAMES,
  validateDocument,
  validateMember,
  validateText,
  type ArchiveDocuments,
  type Issue,
  type MemberName,
} from "../../src/schema/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";

// Every real upstream document must validate; the hand-written, non-conformant ones must not,
// and for the reasons upstream's own readers would give (spec §4.1–4.4).

const archivesDir = join(upstreamFixtures, "archives");
const extractedDir = join(upstreamFixtures, "extracted");
const archiveRuns = readdirSync(archivesDir).sort();
const extractedRuns = readdirSync(extractedDir).sort();
const intactRuns = extractedRuns.filter((name) => name.startsWith("intact-"));

let unpacked: ReturnType<typeof tempDir>;

beforeAll(() => {
  unpacked = tempDir("schemas-conformance");
  for (const run of archiveRuns) {
    const into = join(unpacked.path, run);
    Bun.spawnSync(["mkdir", "-p", into]);
    const tar = Bun.spawnSync(["tar", "-xzf", join(archivesDir, run, "archive.tar.gz"), "-C", into], { stderr: "pipe" });
    if (tar.exitCode !== 0) throw new Error(`tar -xzf failed for ${run}: ${tar.stderr.toString()}`);
  }
});

afterAll(() => unpacked[Symbol.dispose]());

/** Validates every member of an extracted archive directory; returns the issues and how many documents were read. */
function validateMembers(dir: string): { issues: Issue[]; documents: number } {
  const issues: Issue[] = [];
  let documents = 0;
  for (const member of MEMBER_NAMES) {
    const text = readFileSync(join(dir, member), "utf8");
    const where = { file: dir, member };
    const result = validateText(text, where, parseJson);
    issues.push(...result.issues);
    documents += result.count;
    for (const document of result.documents) {
      const inMember = validateMember(member as MemberName, document, where);
      if (!inMember.ok) issues.push(...inMember.issues);
    }
  }
  return { issues, documents };
}

/** Reads an extracted archive directory into its eight validated members. */
function loadDocuments(dir: string): ArchiveDocuments {
  const read = (member: MemberName) => validateText(readFileSync(join(dir, member), "utf8"), { file: dir, member }, parseJson).documents as unknown[];
  const one = (member: MemberName) => read(member)[0];
  return {
    manifest: one("manifest.json"),
    surface: one("capability-surface.json"),
    correlation: one("correlation-report.json"),
    health: one("observation-health.json"),
    events: read("events.ndjson"),
    kernel: read("layers/kernel.ndjson"),
    policy: read("layers/policy.ndjson"),
    sdk: read("layers/sdk.ndjson"),
  } as ArchiveDocuments;
}

function kernelRows(file: string): unknown[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => parseJson(line));
}

const shortIssues = (issues: readonly Issue[]) => issues.map(({ code, member, line, path }) => ({ code, member, line, path }));

describe("real upstream archives", () => {
  test.each(archiveRuns)("every member of %s validates", (run) => {
    const { issues, documents } = validateMembers(join(unpacked.path, run));
    expect(shortIssues(issues)).toEqual([]);
    // 4 JSON documents + 2 events + SDK rows + kernel rows: far more than the JSON members alone.
    expect(documents).toBeGreaterThan(10);
  });

  test.each(archiveRuns)("the members of %s agree with each other (surface = what the kernel rows imply)", (run) => {
    expect(shortIssues(checkArchiveDocuments(loadDocuments(join(unpacked.path, run)), run))).toEqual([]);
  });

  test.each(archiveRuns)("every kernel row of %s validates on its own", (run) => {
    const rows = kernelRows(join(unpacked.path, run, "layers/kernel.ndjson"));
    expect(rows.length).toBeGreaterThan(0);
    const failures = rows.flatMap((row, i) => {
      const result = validateDocument(row, { file: run, member: "layers/kernel.ndjson", line: i + 1 });
      return result.ok ? [] : result.issues;
    });
    expect(shortIssues(failures)).toEqual([]);
  });
});

describe("extracted upstream archives", () => {
  test.each(intactRuns)("every member of %s validates", (run) => {
    const { issues } = validateMembers(join(extractedDir, run));
    expect(shortIssues(issues)).toEqual([]);
  });

  test.each(extractedRuns)("the members of %s agree with each other", (run) => {
    expect(shortIssues(checkArchiveDocuments(loadDocuments(join(extractedDir, run)), run))).toEqual([]);
  });

  test.each(extractedRuns)("every kernel row of %s validates, with or without open metadata", (run) => {
    const rows = kernelRows(join(extractedDir, run, "layers/kernel.ndjson"));
    expect(rows.length).toBeGreaterThan(0);
    const failures = rows.flatMap((row, i) => {
      const result = validateDocument(row, { file: run, line: i + 1 });
      return result.ok ? [] : result.issues;
    });
    expect(shortIssues(failures)).toEqual([]);
  });

  test("the 2026-05-24 kernel rows really lack open metadata, and the 2026-05-26 rows carry it", () => {
    const has = (run: string) => kernelRows(join(extractedDir, run, "layers/kernel.ndjson")).some((row) => "status" in (row as object));
    expect([has("intact-no-open-metadata"), has("intact-open-metadata")]).toEqual([false, true]);
  });

  test.each(extractedRuns.filter((name) => name.startsWith("tampered-")))(
    "the members of %s are still valid documents: a trailing newline is for verify's digests to catch",
    (run) => {
      expect(shortIssues(validateMembers(join(extractedDir, run)).issues)).toEqual([]);
    },
  );
});

describe("upstream's kernel-event JSON Schema", () => {
  const jsonSchema = JSON.parse(readFileSync(join(upstreamFixtures, "schema/kernel-event-v0.schema.json"), "utf8")) as { examples: unknown[] };

  test("has the six examples the spec names", () => {
    expect(jsonSchema.examples.length).toBe(6);
  });

  test.each(jsonSchema.examples.map((example, i) => [i, example] as const))("example %d validates", (i, example) => {
    const result = validateDocument(example, { file: "kernel-event-v0.schema.json", line: i });
    expect(shortIssues(result.ok ? [] : result.issues)).toEqual([]);
  });
});

describe("upstream goldens", () => {
  const goldens = ["capability-surface", "correlation-report", "observation-health"].map((name) => `${name}-openai-agents-kernel-policy-v0.json`);

  test.each(goldens)("%s validates once parsed (it is pretty-printed)", (name) => {
    const text = readFileSync(join(upstreamFixtures, "golden", name), "utf8");
    const result = validateText(text, { file: name }, parseJson);
    expect({ format: result.format, issues: shortIssues(result.issues) }).toEqual({ format: "json", issues: [] });
  });
});

describe("hand-written, non-conformant arms", () => {
  const arms = ["arm-a-openai", "arm-b-gemini"];
  const read = (arm: string, member: string) => {
    const file = join(upstreamFixtures, "hand-written-arms", arm, member);
    return validateText(readFileSync(file, "utf8"), { file: member }, parseJson);
  };

  test.each(arms)("%s: the manifest is rejected for the three members it does not list", (arm) => {
    expect(shortIssues(read(arm, "manifest.json").issues)).toEqual([
      { code: "INVARIANT_VIOLATED", member: undefined, line: undefined, path: 'files["events.ndjson"]' },
      { code: "INVARIANT_VIOLATED", member: undefined, line: undefined, path: 'files["layers/kernel.ndjson"]' },
      { code: "INVARIANT_VIOLATED", member: undefined, line: undefined, path: 'files["layers/policy.ndjson"]' },
    ]);
  });

  test.each(arms)("%s: the correlation report is rejected for notes instead of bindings and ambiguities", (arm) => {
    expect(shortIssues(read(arm, "correlation-report.json").issues)).toEqual([
      { code: "FIELD_MISSING", member: undefined, line: undefined, path: "bindings" },
      { code: "FIELD_MISSING", member: undefined, line: undefined, path: "ambiguities" },
    ]);
  });

  test.each(arms)("%s: the capability surface is rejected for filesystem_paths out of byte order", (arm) => {
    expect(shortIssues(read(arm, "capability-surface.json").issues)).toEqual([
      { code: "INVARIANT_VIOLATED", member: undefined, line: undefined, path: "filesystem_paths.4" },
    ]);
  });

  test.each(arms)("%s: health, kernel rows and SDK rows (missing null keys read as null) are readable", (arm) => {
    for (const member of ["observation-health.json", "layers/kernel.ndjson", "layers/sdk.ndjson"]) {
      expect({ member, issues: shortIssues(read(arm, member).issues) }).toEqual({ member, issues: [] });
    }
  });
});
