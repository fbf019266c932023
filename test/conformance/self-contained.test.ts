// Issue 14, item 6: a clone without ../shared beside it had 96 failing tests, since upstream's
// fixtures were read from outside the repository.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot, skipReason, upstreamFixtures } from "../harness.ts";

const tracked = Bun.which("git") === null ? undefined : Bun.spawnSync(["git", "ls-files", "-z"], { cwd: repoRoot });
const noGit = skipReason(tracked?.exitCode !== 0, "not a git checkout, or no git on this host: cannot list the tracked files");
const trackedFiles = tracked?.exitCode === 0 ? tracked.stdout.toString().split("\0").filter(Boolean) : [];

describe("the repository is self-contained", () => {
  test("upstream's fixtures live inside the repository, with upstream's MIT licence beside them", () => {
    const licence = readFileSync(join(upstreamFixtures, "LICENSE"), "utf8");
    expect([
      relative(repoRoot, upstreamFixtures),
      licence.startsWith("MIT License\n"),
      licence.includes("Permission is hereby granted, free of charge"),
    ]).toEqual(["test/fixtures/upstream", true, true]);
  });

  test.skipIf(noGit)("no test, bench or script reads from ../shared", () => {
    const readers = trackedFiles.filter((file) => /^(test|bench|scripts)\/.*\.(ts|mjs|js)$/.test(file) && file !== "test/conformance/self-contained.test.ts");
    const outside = readers.filter((file) => /\.\.\/shared\b|shared\/fixtures/.test(readFileSync(join(repoRoot, file), "utf8")));
    expect({ checked: readers.length > 100, outside }).toEqual({ checked: true, outside: [] });
  });

  test.skipIf(noGit)("every upstream fixture file is tracked, so a clone has it", () => {
    const onDisk = listFiles(upstreamFixtures).map((file) => relative(repoRoot, file));
    const missing = onDisk.filter((file) => !trackedFiles.includes(file));
    expect({ files: onDisk.length > 50, missing }).toEqual({ files: true, missing: [] });
  });

  test("the four real archives the conformance tests iterate over are all there", () => {
    const runs = readdirSync(join(upstreamFixtures, "archives")).sort();
    expect(
      runs.map((run) => [
        run,
        existsSync(join(upstreamFixtures, "archives", run, "archive.tar.gz")),
        existsSync(join(upstreamFixtures, "archives", run, "sdk-events.ndjson")),
      ]),
    ).toEqual([
      ["run_arm_a-openai_20260525T113813Z_1", true, true],
      ["run_arm_a-openai_20260525T113821Z_2", true, true],
      ["run_arm_a-openai_20260525T113828Z_3", true, true],
      ["run_arm_b-gemini_20260525T114112Z_1", true, true],
    ]);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}
