import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { host, runAssay, skipReason, tempDir, upstreamFixtures } from "../harness.ts";
import { writeRunArchive } from "./_archives.ts";

const RUN_A = "run_arm_a-openai_20260525T113813Z_1";
const RUN_B = "run_arm_b-gemini_20260525T114112Z_1";
// The report shows each archive path as given, so the test lays archives out the way upstream passed them.
const SHOWN_A = `docs/experiments/cross-runtime-drift-2026-05/runs/a0/${RUN_A}/archive.tar.gz`;
const SHOWN_B = `docs/experiments/cross-runtime-drift-2026-05/runs/b0/${RUN_B}/archive.tar.gz`;
const WORK_A = `/opt/actions-runner/_work/assay/assay/arm-a-openai-runs/${RUN_A}/workdir`;
const WORK_B = `/opt/actions-runner/_work/assay/assay/arm-b-gemini-runs/${RUN_B}/workdir`;
const PAIR_1_FLAGS = [
  ...[`${WORK_A}/fixture-input.txt`, `${WORK_A}/fixture-output.txt`, `${WORK_B}/fixture-input.txt`, `${WORK_B}/fixture-output.txt`].flatMap((p) => [
    "--fixture-path",
    p,
  ]),
  "--path-alias",
  `${WORK_A}/fixture-input.txt=workdir/input`,
  "--path-alias",
  `${WORK_A}/fixture-output.txt=workdir/output`,
  "--path-alias",
  `${WORK_B}/fixture-input.txt=workdir/input`,
  "--path-alias",
  `${WORK_B}/fixture-output.txt=workdir/output`,
  "--network-alias",
  "127.0.0.53:53=dns",
  "--assay-commit",
  "e3f6ef9d",
  "--comparator-commit",
  "2b8ab383",
  "--rendered-at",
  "2026-05-26T08:58:26Z",
  "--render-kind",
  "re_render",
  "--source-run-url",
  "https://github.com/Rul1an/assay/actions/runs/26398427430",
  "--workflow-url",
  "https://github.com/Rul1an/assay/actions/runs/26398427430",
  "--raw-captures-unchanged",
  "--runner-label",
  "assay-bpf-runner",
];
const fixture = (relative: string) => readFileSync(join(upstreamFixtures, relative));
const HAND = join(upstreamFixtures, "hand-written-arms");
const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun run build)");

function pairDir() {
  return tempDir("drift-pair", {
    [SHOWN_A]: fixture(`archives/${RUN_A}/archive.tar.gz`),
    [SHOWN_B]: fixture(`archives/${RUN_B}/archive.tar.gz`),
  });
}

describe.skipIf(noBinary)("assay-runner drift", () => {
  test("reproduces drift_pair_1.json and drift_pair_1.md byte for byte", async () => {
    using dir = pairDir();
    mkdirSync(join(dir.path, "out"));
    const outcome = await runAssay(["drift", SHOWN_A, SHOWN_B, ...PAIR_1_FLAGS, "--out-json", "out/drift.json", "--out-md", "out/drift.md"], { cwd: dir.path });
    expect({
      ...outcome,
      json: readFileSync(join(dir.path, "out/drift.json"), "utf8"),
      md: readFileSync(join(dir.path, "out/drift.md"), "utf8"),
    }).toEqual({
      stdout: "",
      stderr: "",
      exitCode: 0,
      json: fixture("drift/drift_pair_1.json").toString("utf8"),
      md: fixture("drift/drift_pair_1.md").toString("utf8"),
    });
  });

  test("prints the same JSON on stdout without --out-json, and accepts upstream's --archive-a/--archive-b", async () => {
    using dir = pairDir();
    const outcome = await runAssay(["drift", "--archive-a", SHOWN_A, "--archive-b", SHOWN_B, ...PAIR_1_FLAGS], { cwd: dir.path });
    expect(outcome).toEqual({ stdout: fixture("drift/drift_pair_1.json").toString("utf8"), stderr: "", exitCode: 0 });
  });

  test("accepts the hand-written arms (manifest + surface suffice) and writes the coverage annotation", async () => {
    using dir = tempDir("drift-hand");
    const ann = join(dir.path, "ann.json");
    const outcome = await runAssay(["drift", join(HAND, "arm-a-openai"), join(HAND, "arm-b-gemini"), "--coverage-annotation-out", ann]);
    const annotation = JSON.parse(readFileSync(ann, "utf8"));
    expect([outcome.exitCode, outcome.stderr, JSON.parse(outcome.stdout).summary, annotation.schema]).toEqual([
      0,
      "",
      { dimensions_checked: 7, task_induced: 4, provider_induced: 1, runtime_induced: 1, inconclusive: 1 },
      "assay.coverage_aware_drift.annotation.v0",
    ]);
  });

  test("--assert-claim exits 1 when a claim is blocked and 0 when all are permitted", async () => {
    const arms = [join(HAND, "arm-a-openai"), join(HAND, "arm-b-gemini")];
    const blocked = await runAssay(["drift", ...arms, "--assert-claim", "positive:network_endpoints", "--assert-claim", "bounded_negative:network_endpoints"]);
    const permitted = await runAssay(["drift", ...arms, "--assert-claim", "positive:network_endpoints"]);
    expect([blocked.exitCode, blocked.stderr.includes("bounded_negative:network_endpoints blocked"), permitted.exitCode]).toEqual([1, true, 0]);
  });

  test("an unreadable archive exits 3 naming the path; bad configuration exits 2 naming the flag", async () => {
    const missing = await runAssay(["drift", "/nonexistent/a", join(HAND, "arm-b-gemini")]);
    const duplicate = await runAssay(["drift", join(HAND, "arm-a-openai"), join(HAND, "arm-b-gemini"), "--path-alias", "/x=a", "--path-alias", "/x=b"]);
    const claim = await runAssay(["drift", join(HAND, "arm-a-openai"), join(HAND, "arm-b-gemini"), "--assert-claim", "guess:x"]);
    expect([
      [missing.exitCode, missing.stdout, missing.stderr.trimEnd().endsWith("/nonexistent/a: archive path does not exist")],
      [duplicate.exitCode, duplicate.stdout, duplicate.stderr.includes('--path-alias: duplicate path alias for "/x"')],
      [claim.exitCode, claim.stdout],
    ]).toEqual([
      [3, "", true],
      [2, "", true],
      [2, ""],
    ]);
  });

  test("reads a side packed by hand with tar, directory entries included, like the extracted directory", async () => {
    using dir = tempDir("drift-packed");
    const packed = join(dir.path, "arm-a.tar.gz");
    // GNU tar writes a "layers/" directory entry, which the evidence reader skips for compare commands.
    const tar = Bun.spawnSync(["tar", "-czf", packed, "-C", join(HAND, "arm-a-openai"), "manifest.json", "capability-surface.json", "layers"]);
    const fromTar = await runAssay(["drift", packed, join(HAND, "arm-b-gemini")]);
    const fromDir = await runAssay(["drift", join(HAND, "arm-a-openai"), join(HAND, "arm-b-gemini")]);
    const rows = (stdout: string) => JSON.parse(stdout).rows;
    expect([tar.exitCode, fromTar.exitCode, fromTar.stderr, rows(fromTar.stdout)]).toEqual([0, 0, "", rows(fromDir.stdout)]);
  });

  test("a corrupt tar.gz exits 3", async () => {
    using dir = tempDir("drift-corrupt", { "bad.tar.gz": "not a gzip stream" });
    const outcome = await runAssay(["drift", join(dir.path, "bad.tar.gz"), join(HAND, "arm-b-gemini")]);
    expect([outcome.exitCode, outcome.stderr.includes("corrupt tar archive")]).toEqual([3, true]);
  });

  test("two archives written by our own evidence writer drift end to end", async () => {
    using dir = tempDir("drift-own");
    const a = await writeRunArchive(dir.path, "run_a", { filesystem_paths: ["/w/in.txt", "/usr/lib/a.so"], network_endpoints: ["api.openai.com:443"] });
    const b = await writeRunArchive(dir.path, "run_b", { filesystem_paths: ["/w/in.txt"], network_endpoints: ["auth.openai.com:443"] });
    const outcome = await runAssay(["drift", a, b]);
    const report = JSON.parse(outcome.stdout);
    expect([outcome.exitCode, report.rows.map((r: { classification: string }) => r.classification)]).toEqual([
      0,
      // Our health declares network claim scope diagnostic_only, so endpoint churn is inconclusive.
      ["runtime-induced", "inconclusive", "inconclusive", "inconclusive", "task-induced", "task-induced", "task-induced"],
    ]);
  });

  test("--help shows an example", async () => {
    const outcome = await runAssay(["drift", "--help"]);
    expect([outcome.exitCode, outcome.stdout.includes("--network-alias 127.0.0.53:53=dns --out-json drift.json")]).toEqual([0, true]);
  });
});
