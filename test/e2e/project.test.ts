import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileRulesOrThrow, projectPaths } from "../../src/projection/index.ts";
import { assayEnv, assayExe, host, mountTmpfs, pollUntil, repoRoot, runAssay, skipReason, tempDir, upstreamFixtures } from "../harness.ts";
import { writeRunArchive } from "./_archives.ts";

const fixtures = join(repoRoot, "test/fixtures/projection");
const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)");
const noTmpfs = skipReason(!host.hasBinary || !host.isRoot, "the full-disk test mounts a tmpfs: needs root and the compiled binary");
const emptyRules = JSON.stringify({ schema: "assay.runner.projection_rules.v0" });

interface Record_ {
  readonly raw_path?: string;
  readonly raw_endpoint?: string;
  readonly projected_path?: string;
  readonly projected_endpoint?: string;
}

const projectedSet = (ndjson: string) =>
  ndjson
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record_)
    .map((r) => r.projected_path ?? r.projected_endpoint)
    .sort();
const rawSet = (ndjson: string) =>
  ndjson
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record_)
    .map((r) => r.raw_path ?? r.raw_endpoint)
    .sort();

describe.skipIf(noBinary)("assay-runner project", () => {
  test("two of our archives from different run directories differ raw but project to equal sets, with the non-equivalence non-claim", async () => {
    using dir = tempDir("project");
    // Archives written by our evidence writer around the fixture surfaces.
    const archives = await Promise.all(
      ["run-a", "run-b"].map((run) => {
        const surface = JSON.parse(readFileSync(join(fixtures, run, "capability-surface.json"), "utf8"));
        return writeRunArchive(dir.path, surface.run_id, surface);
      }),
    );
    const [a, b] = await Promise.all(
      ["run-a", "run-b"].map((run, i) => runAssay(["project", archives[i]!, "--rules", join(fixtures, run, "rules.json"), "--format", "ndjson"])),
    );
    expect([a!.exitCode, a!.stderr, b!.exitCode, b!.stderr]).toEqual([0, "", 0, ""]);
    expect(rawSet(a!.stdout)).not.toEqual(rawSet(b!.stdout));
    expect(projectedSet(a!.stdout)).toEqual(projectedSet(b!.stdout));
    const report = await runAssay(["project", archives[0]!, "--rules", join(fixtures, "run-a", "rules.json")]);
    expect(report.exitCode).toBe(0);
    const doc = JSON.parse(report.stdout);
    expect(doc.path_projection.non_claims).toContain("projection_no_semantic_workload_equivalence");
    expect(doc.network_projection.non_claims).toContain("projection_no_semantic_workload_equivalence");
  });

  test("a capability-surface.json reads like the archive that holds it", async () => {
    const surface = join(fixtures, "run-b", "capability-surface.json");
    const outcome = await runAssay(["project", surface, "--rules", join(fixtures, "run-b", "rules.json"), "--format", "summary"]);
    expect([outcome.exitCode, outcome.stderr]).toEqual([0, ""]);
    const doc = JSON.parse(outcome.stdout);
    expect([doc.schema, doc.path_projection.input_count, doc.path_projection.classes, doc.network_projection.claim_level]).toEqual([
      "assay.runner.projection_report.v0",
      10,
      { workload_fixture: 3, runtime_package: 0, provider_sdk: 1, loader: 4, experiment_harness: 1, cache: 1, unknown: 0 },
      "projected_equivalent",
    ]);
  });

  test("a paths file without heuristics prints upstream's document, the same as the library computes", async () => {
    const paths = [
      "open_read:/tmp/a/workdir/input.txt",
      "/tmp/a/workdir/cache/provider.tmp",
      "https:/tmp/a/workdir/not-an-operation",
      "/tmp/a/workdir-else/not-inside.txt",
    ];
    const rules = { schema: "assay.runner.projection_rules.v0" as const, workdir_prefixes: ["/tmp/a/workdir/"] };
    using dir = tempDir("project", { "paths.txt": `${paths.join("\n")}\n`, "rules.json": JSON.stringify(rules) });
    const outcome = await runAssay(["project", join(dir.path, "paths.txt"), "--rules", join(dir.path, "rules.json")]);
    expect(outcome).toEqual({ stdout: `${JSON.stringify(projectPaths(paths, compileRulesOrThrow(rules)), null, 2)}\n`, stderr: "", exitCode: 0 });
  });

  test("stdin streams into a summary; --output writes the file atomically and nothing to stdout", async () => {
    using dir = tempDir("project", {
      "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0", heuristics: "builtin", workdir_prefixes: ["/w"] }),
    });
    const out = join(dir.path, "summary.json");
    const outcome = await runAssay(["project", "-", "--rules", join(dir.path, "rules.json"), "--format", "summary", "--output", out], {
      stdin: "/w/a\r\n/w/b\n\n/etc/hosts\n/zzz\n/w/a",
    });
    expect(outcome).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    const summary = JSON.parse(readFileSync(out, "utf8"));
    expect([summary.schema, summary.input_count, summary.classes.workload_fixture, summary.classes.loader, summary.unmatched_summary.samples]).toEqual([
      "assay.runner.projection_summary.v0",
      5,
      3,
      1,
      ["/zzz"],
    ]);
  });

  test("a paths file of many reads: every line arrives whole, in order, a line longer than one read too", async () => {
    // Lines of varied length straddle the 1 MiB reads at many offsets; one line spans two reads.
    const lines = Array.from({ length: 60_000 }, (_, i) => `/w/${"d".repeat(i % 97)}/f${i}`);
    lines.splice(30_000, 0, `/long/${"x".repeat(1_500_000)}`);
    const text = `${lines.slice(0, 100).join("\r\n")}\r\n${lines.slice(100).join("\n")}`;
    using dir = tempDir("project", { "rules.json": emptyRules, "paths.txt": text });
    const outcome = await runAssay(["project", join(dir.path, "paths.txt"), "--rules", join(dir.path, "rules.json"), "--format", "ndjson"]);
    const raw = outcome.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as Record_).raw_path);
    expect({ exitCode: outcome.exitCode, count: raw.length, same: raw.every((path, i) => path === lines[i]) }).toEqual({
      exitCode: 0,
      count: lines.length,
      same: true,
    });
  });

  test("reads an upstream archive and projects its surface", async () => {
    using dir = tempDir("project", {
      "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0", network: { endpoints: { "127.0.0.53:53": "dns" } } }),
    });
    const archive = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
    const outcome = await runAssay(["project", archive, "--rules", join(dir.path, "rules.json")]);
    expect([outcome.exitCode, outcome.stderr]).toEqual([0, ""]);
    const doc = JSON.parse(outcome.stdout);
    expect([doc.run_id, doc.network_projection.mappings.map((m: Record_) => m.projected_endpoint)]).toEqual(["run_arm_a-openai_20260525T113813Z_1", ["dns"]]);
  });

  test("a bad rules file exits 2 and names the file and field", async () => {
    using dir = tempDir("project", {
      "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0", network: { cidrs: [{ cidr: "10.0.0.0/33", class: "dns" }] } }),
    });
    const rules = join(dir.path, "rules.json");
    const outcome = await runAssay(["project", "-", "--rules", rules], { stdin: "/x\n" });
    expect([outcome.stdout, outcome.exitCode]).toEqual(["", 2]);
    expect(outcome.stderr).toContain(`${rules}: › network.cidrs.0.cidr`);
  });

  test("a missing input exits 2 and names it", async () => {
    using dir = tempDir("project", { "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0" }) });
    const outcome = await runAssay(["project", join(dir.path, "nope.txt"), "--rules", join(dir.path, "rules.json")]);
    expect([outcome.stdout, outcome.exitCode]).toEqual(["", 2]);
    expect(outcome.stderr).toContain(`${join(dir.path, "nope.txt")}: cannot read input: no such file or directory`);
  });

  test("an unknown format is a usage error", async () => {
    const outcome = await runAssay(["project", "-", "--rules", "x.json", "--format", "xml"]);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toContain("--format");
  });

  test("an --output that cannot be created exits 2, names the flag, the file and the reason", async () => {
    using dir = tempDir("project", { "rules.json": emptyRules, "a-file": "" });
    const out = join(dir.path, "a-file", "out.json");
    const outcome = await runAssay(["project", "-", "--rules", join(dir.path, "rules.json"), "--output", out], { stdin: "/x\n" });
    // A write failure is not bad usage: the error alone, without the usage hint.
    expect({ stdout: outcome.stdout, exitCode: outcome.exitCode, stderr: outcome.stderr.replaceAll(dir.path, "DIR") }).toEqual({
      stdout: "",
      exitCode: 2,
      stderr: "[error] --output: cannot write DIR/a-file/out.json: DIR/a-file is not a directory\n",
    });
  });

  // Issue 14, item 5: random bytes were taken as a path list, though validate rejects them.
  test("a paths file that is not UTF-8 text is refused like validate refuses it: exit 2 naming the file", async () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256);
    using dir = tempDir("project", { "rules.json": emptyRules, "random.txt": random, "latin1.txt": Uint8Array.from([0x2f, 0x63, 0x61, 0x66, 0xe9, 0x0a]) });
    const rules = join(dir.path, "rules.json");
    const results = [];
    for (const [name, format] of [
      ["random.txt", "summary"],
      ["latin1.txt", "ndjson"],
      ["latin1.txt", "json"],
    ] as const) {
      const file = join(dir.path, name);
      const outcome = await runAssay(["project", file, "--rules", rules, "--format", format]);
      const validated = await runAssay(["validate", file]);
      results.push([
        outcome.exitCode,
        outcome.stdout,
        outcome.stderr.startsWith(`[error] ${file}: `) && outcome.stderr.includes("the file is not UTF-8 text"),
        validated.exitCode,
      ]);
    }
    const piped = await runAssay(["project", "-", "--rules", rules, "--format", "summary"], { stdin: "/ok\n\u0000/x\n" });
    expect([...results, [piped.exitCode, piped.stdout, piped.stderr.includes("<stdin>: the file is not UTF-8 text (a NUL byte)")]]).toEqual([
      [2, "", true, 2],
      [2, "", true, 2],
      [2, "", true, 2],
      [2, "", true],
    ]);
  });

  test("--json is one document: accepted with json and summary, refused with ndjson", async () => {
    using dir = tempDir("project", { "rules.json": emptyRules });
    const rules = join(dir.path, "rules.json");
    const summary = await runAssay(["project", "-", "--rules", rules, "--format", "summary", "--json"], { stdin: "/a\n/b\n" });
    const ndjson = await runAssay(["project", "-", "--rules", rules, "--format", "ndjson", "--json"], { stdin: "/a\n" });
    const message = "--json prints one document; --format ndjson prints one per line: use one of them";
    expect([summary.exitCode, JSON.parse(summary.stdout).input_count, ndjson.exitCode, JSON.parse(ndjson.stdout), ndjson.stderr.split("\n")[0]]).toEqual([
      0,
      2,
      2,
      { error: { code: "BAD_ARGUMENT", message, exit_code: 2 } },
      `[error] ${message}`,
    ]);
  });

  test.skipIf(noTmpfs)("a full disk under --output exits 2 and leaves neither the output nor its temporary file", async () => {
    using dir = tempDir("project", { "rules.json": emptyRules });
    const disk = join(dir.path, "disk");
    using _tmpfs = mountTmpfs(disk, "size=64k");
    writeFileSync(join(disk, "kept"), "already there\n");
    // ~2 MB of ndjson for a 64 KiB filesystem.
    const lines = Array.from({ length: 10_000 }, (_, i) => `/w/run/${i}/file.txt`).join("\n");
    const out = join(disk, "out.ndjson");
    const outcome = await runAssay(["project", "-", "--rules", join(dir.path, "rules.json"), "--format", "ndjson", "--output", out], { stdin: lines });
    expect({
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      named: outcome.stderr.includes(`--output: cannot write ${out}: ENOSPC`),
      files: readdirSync(disk),
    }).toEqual({
      exitCode: 2,
      stdout: "",
      named: true,
      files: ["kept"],
    });
  });

  test("SIGTERM mid-input exits 143 and leaves neither the output nor its temporary file", async () => {
    using dir = tempDir("project", { "rules.json": emptyRules });
    const out = join(dir.path, "out.ndjson");
    await using proc = Bun.spawn([assayExe(), "project", "-", "--rules", join(dir.path, "rules.json"), "--format", "ndjson", "--output", out], {
      env: assayEnv,
      stdin: "pipe",
      stdout: "ignore",
      stderr: "pipe",
    });
    proc.stdin.write("/a\n/b\n");
    await proc.stdin.flush();
    // The temporary file exists once the output is open; the input is still open, so the run is mid-way.
    await pollUntil(() => readdirSync(dir.path).some((name) => name.includes(".partial-")), Boolean, 10_000);
    proc.kill("SIGTERM");
    expect({ exitCode: await proc.exited, files: readdirSync(dir.path), output: existsSync(out) }).toEqual({
      exitCode: 143,
      files: ["rules.json"],
      output: false,
    });
  });
});
