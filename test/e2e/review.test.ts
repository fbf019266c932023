// baseline, check and report as whole processes: the acceptance run with real capture, the
// outputs CI reads (SARIF, step summary, annotations), determinism of the baseline bytes, bad input.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chooseBackend } from "../../src/capture/index.ts";
import { ArchiveWriter, canonicalJson, loadArchive, type ManifestedMemberName, type NdjsonMemberName } from "../../src/evidence/index.ts";
import { writeKeyFile } from "../run/_archive.ts";
import { sarifValidator } from "../review/_sarif.ts";
import { writeShapeArchive, type RunShape } from "../review/_runs.ts";
import { host, repoRoot, runAssay, skipReason, tempDir } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "review e2e needs the compiled binary (bun scripts/build.ts)");
const choice = await chooseBackend("auto");
const capture = choice.ok && choice.backend.name !== "none" && host.hasCgroup2 ? choice.backend.name : undefined;
const noKernel = skipReason(
  !host.hasBinary || capture === undefined,
  `the baseline acceptance run needs a capture backend that gives kernel rows, root and cgroup v2 (${choice.ok ? `auto chose ${choice.backend.name}` : choice.reason}; cgroup v2 ${host.hasCgroup2 ? "usable" : "not usable"})`,
);

const base: RunShape = {
  runId: "run_b1",
  reads: ["/srv/in.txt", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
  writes: ["/w/out.txt"],
  execs: ["/usr/bin/sh"],
  endpoints: ["127.0.0.1:9"],
};

describe("baseline, check: the acceptance run", () => {
  test.skipIf(noKernel)(
    `three runs, a baseline; a fourth run with a new file and a new port has exactly those two findings; with a partial kernel layer, or none, the health finding (capture ${capture ?? "none"})`,
    async () => {
      using dir = tempDir("review-accept");
      const work = join(dir.path, "work");
      await Bun.write(join(work, "input.txt"), "input\n");
      const env = { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) };
      const workload = join(repoRoot, "test/fixtures/review/workload.sh");
      const run = async (runId: string, backend: string, ...args: string[]) => {
        const archive = join(dir.path, `${runId}.tar.gz`);
        const outcome = await runAssay(["run", "--capture", backend, "--run-id", runId, "-o", archive, "--quiet", "--", workload, work, ...args], { env });
        expect([runId, outcome.exitCode, outcome.stderr]).toEqual([runId, 0, ""]);
        return archive;
      };
      const archives = [await run("run_a1", capture!, "47001"), await run("run_a2", capture!, "47001"), await run("run_a3", capture!, "47001")];
      const baselineFile = join(dir.path, "baseline.json");
      const built = await runAssay(["baseline", ...archives, "-o", baselineFile]);
      expect([built.exitCode, built.stdout]).toEqual([0, ""]);

      const fourth = await run("run_a4", capture!, "47002", "extra.txt");
      const checked = await runAssay(["check", fourth, "--baseline", baselineFile, "--json"]);
      const report = JSON.parse(checked.stdout);
      expect([checked.exitCode, report.status, report.findings.map((f: any) => [f.rule, f.subject])]).toEqual([
        1,
        "outside",
        [
          ["new-write", join(work, "extra.txt")],
          ["new-endpoint", "127.0.0.1:47002"],
        ],
      ]);
      // The baseline runs themselves are inside.
      const inside = await runAssay(["check", archives[1]!, "--baseline", baselineFile, "--json"]);
      expect([inside.exitCode, JSON.parse(inside.stdout).findings]).toEqual([0, []]);

      // The same fourth run with a partial kernel layer (ring-buffer drops), repacked by the archive writer.
      const partial = await withPartialKernelLayer(fourth, join(dir.path, "run_a4_partial.tar.gz"));
      const clipped = await runAssay(["check", partial, "--baseline", baselineFile, "--json"]);
      expect([clipped.exitCode, JSON.parse(clipped.stdout).findings.map((f: any) => f.rule)]).toEqual([1, ["observation-health", "new-write", "new-endpoint"]]);

      // And with no kernel layer at all (capture none).
      const blind = await run("run_a5", "none", "47002", "extra.txt");
      const health = await runAssay(["check", blind, "--baseline", baselineFile, "--json"]);
      expect([health.exitCode, JSON.parse(health.stdout).findings.map((f: any) => [f.rule, f.subject])]).toEqual([1, [["observation-health", "kernel_layer"]]]);
    },
  );
});

/** Rewrites an archive's health to a partial kernel layer (5 ring-buffer drops), every other member as it was. */
async function withPartialKernelLayer(source: string, outputPath: string): Promise<string> {
  const loaded = await loadArchive(source);
  if (!loaded.ok) throw new Error(`${source}: unreadable`);
  const members = loaded.value.members;
  const health = JSON.parse(new TextDecoder().decode(members.get("observation-health.json")));
  const runId: string = health.run_id;
  await using writer = await ArchiveWriter.create({ outputPath, runId });
  for (const [name, bytes] of members) {
    if (name === "manifest.json") continue;
    if (name === "observation-health.json") writer.set(name, canonicalJson({ ...health, kernel_layer: "partial_ringbuf_drops", ringbuf_drops: 5 }));
    else if (name.endsWith(".ndjson")) writer.append(name as NdjsonMemberName, bytes);
    else writer.set(name as ManifestedMemberName, bytes);
  }
  await writer.commit();
  return outputPath;
}

describe("check: outputs CI reads", () => {
  test.skipIf(noBinary)("SARIF validates; the step summary and annotations appear with GITHUB_ACTIONS=true and are absent otherwise", async () => {
    using dir = tempDir("review-gh");
    const baselineFile = join(dir.path, "baseline.json");
    const b1 = await writeShapeArchive(dir.path, base);
    expect((await runAssay(["baseline", b1, "-o", baselineFile])).exitCode).toBe(0);
    const head = await writeShapeArchive(dir.path, { ...base, runId: "run_h1", writes: ["/w/out.txt", "/w/new.txt"], execs: ["/usr/bin/sh", "/usr/bin/curl"] });
    const summary = join(dir.path, "summary.md");
    const sarif = join(dir.path, "out.sarif");
    const github = await runAssay(["check", head, "--baseline", baselineFile, "--sarif", sarif], {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    const local = await runAssay(["check", head, "--baseline", baselineFile], { env: { GITHUB_ACTIONS: "", GITHUB_STEP_SUMMARY: join(dir.path, "other.md") } });
    const annotations = (text: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith("::error "))
        .map((l) => l.split("title=")[1]!.split("%3A")[0]);
    expect({
      github: [github.exitCode, annotations(github.stdout), readFileSync(summary, "utf8").split("\n")[0]],
      local: [local.exitCode, local.stdout, existsSync(join(dir.path, "other.md")), local.stderr.includes("new-exec: executed /usr/bin/curl")],
      sarif: sarifValidator()(JSON.parse(readFileSync(sarif, "utf8"))),
    }).toEqual({
      github: [1, ["assay new-exec", "assay new-write"], "## assay-runner check: 2 findings outside the baseline"],
      local: [1, "", false, true],
      sarif: [],
    });
  });
});

describe("baseline: determinism and merge", () => {
  test.skipIf(noBinary)("the same archives in another order give byte-identical baselines; --merge appends a run after reviewed entries", async () => {
    using dir = tempDir("review-det");
    const lib = Array.from({ length: 12 }, (_, i) => `/opt/t/lib/m${i}.so`);
    const shapes: RunShape[] = [
      { ...base, runId: "run_d1", reads: [...base.reads!, ...lib.slice(0, 9)] },
      { ...base, runId: "run_d2", reads: [...base.reads!, ...lib.slice(3)], endpoints: ["127.0.0.1:9", "10.1.1.1:443"] },
      { ...base, runId: "run_d3", execs: ["/usr/bin/sh", "/usr/bin/env"] },
    ];
    const archives = await Promise.all(shapes.map((s) => writeShapeArchive(dir.path, s)));
    const a = join(dir.path, "a.json");
    const b = join(dir.path, "b.json");
    const outcomes = [await runAssay(["baseline", ...archives, "-o", a]), await runAssay(["baseline", archives[2]!, archives[0]!, archives[1]!, "-o", b])];
    expect(outcomes.map((o) => o.exitCode)).toEqual([0, 0]);
    expect(readFileSync(b, "utf8")).toBe(readFileSync(a, "utf8"));

    const merged = join(dir.path, "m.json");
    const extra = await writeShapeArchive(dir.path, { ...base, runId: "run_d4", writes: ["/w/out.txt", "/w/zz.txt"] });
    expect((await runAssay(["baseline", extra, "--merge", a, "-o", merged])).exitCode).toBe(0);
    const before = JSON.parse(readFileSync(a, "utf8"));
    const after = JSON.parse(readFileSync(merged, "utf8"));
    expect({
      kept: after.paths.slice(0, before.paths.length).map((p: any) => p.pattern),
      added: after.paths.slice(before.paths.length).map((p: any) => [p.pattern, p.access, p.runs]),
      run_count: after.run_count,
    }).toEqual({ kept: before.paths.map((p: any) => p.pattern), added: [["/w/zz.txt", "write", 1]], run_count: 4 });
  });
});

describe("baseline: with a worker and on one thread", () => {
  test.skipIf(noBinary)("gives the same bytes and warnings, and the same error for a broken archive among good ones", async () => {
    using dir = tempDir("review-par");
    // Enough archives that both lanes take some; one without observation health, so a warning is printed.
    const archives: string[] = [];
    for (let i = 0; i < 9; i++) {
      archives.push(
        await writeShapeArchive(dir.path, {
          ...base,
          runId: `run_p${i}`,
          reads: [...base.reads!, `/opt/p${i % 3}/lib/m${i}.so`],
          writes: [`/w/p${i}/out.txt`],
        }),
      );
    }
    const healthless = await writeShapeArchive(dir.path, { ...base, runId: "run_p_nohealth" });
    const bare = join(dir.path, "bare");
    const loaded = await loadArchive(healthless);
    if (!loaded.ok) throw new Error("fixture archive did not load");
    mkdirSync(bare);
    for (const [name, bytes] of loaded.value.members) {
      if (name === "observation-health.json") continue;
      mkdirSync(join(bare, name, ".."), { recursive: true });
      writeFileSync(join(bare, name), bytes);
    }
    archives.splice(4, 0, bare);
    const one = join(dir.path, "one.json");
    const two = join(dir.path, "two.json");
    const single = await runAssay(["baseline", ...archives, "-o", one], { env: { ASSAY_REVIEW_PARALLEL: "0" } });
    const parallel = await runAssay(["baseline", ...archives, "-o", two], { env: { ASSAY_REVIEW_PARALLEL: "1" } });
    expect([single.exitCode, parallel.exitCode]).toEqual([0, 0]);
    expect(parallel.stderr.replaceAll(two, "OUT")).toBe(single.stderr.replaceAll(one, "OUT"));
    expect(single.stderr).toContain(bare);
    expect(readFileSync(two, "utf8")).toBe(readFileSync(one, "utf8"));

    const broken = join(dir.path, "broken.tar.gz");
    writeFileSync(broken, "not an archive");
    const withBroken = [...archives.slice(0, 6), broken, ...archives.slice(6)];
    const outs = [join(dir.path, "b1.json"), join(dir.path, "b2.json")];
    const failed = [
      await runAssay(["baseline", ...withBroken, "-o", outs[0]!], { env: { ASSAY_REVIEW_PARALLEL: "0" } }),
      await runAssay(["baseline", ...withBroken, "-o", outs[1]!], { env: { ASSAY_REVIEW_PARALLEL: "1" } }),
    ];
    expect(failed.map((f) => [f.exitCode, f.stderr.includes(broken)])).toEqual([
      [2, true],
      [2, true],
    ]);
    expect(failed[1]!.stderr).toBe(failed[0]!.stderr);
    expect(outs.map((o) => existsSync(o))).toEqual([false, false]);
  });
});

describe("review commands: bad input", () => {
  test.skipIf(noBinary)("a broken baseline exits 2 naming file and field; a missing archive exits 2; nothing is written", async () => {
    using dir = tempDir("review-bad");
    const archive = await writeShapeArchive(dir.path, base);
    const bad = join(dir.path, "bad.json");
    writeFileSync(bad, JSON.stringify({ schema: "assay.runner.baseline.v0", run_count: 0 }));
    const sarif = join(dir.path, "x.sarif");
    const broken = await runAssay(["check", archive, "--baseline", bad, "--sarif", sarif]);
    const missing = await runAssay(["baseline", join(dir.path, "nope.tar.gz"), "-o", join(dir.path, "out.json")]);
    const report = await runAssay(["report", archive, "--baseline", bad, "--against", archive, "-o", join(dir.path, "r.html")]);
    expect({
      broken: [broken.exitCode, broken.stderr.includes(`${bad}`) && broken.stderr.includes("run_count"), existsSync(sarif)],
      missing: [missing.exitCode, missing.stderr.includes("nope.tar.gz"), existsSync(join(dir.path, "out.json"))],
      report: [report.exitCode, existsSync(join(dir.path, "r.html"))],
    }).toEqual({ broken: [2, true, false], missing: [2, true, false], report: [2, false] });
  });
});

describe("report", () => {
  test.skipIf(noBinary)("--against another run embeds that comparison's findings; the page references nothing outside itself", async () => {
    using dir = tempDir("review-report");
    const other = await writeShapeArchive(dir.path, base);
    const head = await writeShapeArchive(dir.path, { ...base, runId: "run_r2", execs: ["/usr/bin/sh", "/usr/bin/nc"] });
    const html = join(dir.path, "r.html");
    const made = await runAssay(["report", head, "--against", other, "-o", html]);
    const text = readFileSync(html, "utf8");
    const data = JSON.parse(text.slice(text.indexOf('id="assay-data">') + 16, text.indexOf("</script>")));
    expect({
      exitCode: made.exitCode,
      compared: data.comparedWith,
      findings: data.check.findings.map((f: any) => [f.rule, f.subject]),
      external: /\s(src|href)=/.test(text),
    }).toEqual({ exitCode: 0, compared: other, findings: [["new-exec", "/usr/bin/nc"]], external: false });
  });
});
