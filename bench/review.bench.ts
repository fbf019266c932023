// baseline and check at the goal's scale, as whole processes of the compiled binary: `baseline` of
// 100 archives of 10k paths each (≤ 2 s) and `check` of one 100k-path archive against that baseline
// (≤ 0.5 s). Each archive has a kernel open row per path (a tenth of them writes). Then, in one
// mitata summary each, the engine in process against a plain reference (exact-value sets, no
// projection, no collapse): the ratio is what a guard should watch on a shared host.
import { bench, run, summary } from "mitata";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileReviewRules, openProjectedRun, readBaselineFile, readReviewRules } from "../src/cli/_review-io.ts";
import { ArchiveWriter, canonicalJson, sortUnique } from "../src/evidence/index.ts";
import { buildBaseline, checkRun, PathProjector, renderBaseline, type ProjectedRun } from "../src/review/index.ts";
import { kernelOnlyHealth } from "../test/fixtures/health.ts";

const RUNS = 100;
const PATHS_PER_RUN = 10_000;
const CHECK_PATHS = 100_000;
const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
const dir = mkdtempSync(join(tmpdir(), "assay-bench-review-"));

try {
  const archives: string[] = [];
  for (let r = 0; r < RUNS; r++) archives.push(await writeArchive(`run_${r}`, r + 1, PATHS_PER_RUN));
  const head = await writeArchive("run_head", 9999, CHECK_PATHS);
  const baselineFile = join(dir, "baseline.json");

  const measure = (label: string, goalMs: number, args: string[], okCodes: number[], env: Record<string, string> = {}): void => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const proc = Bun.spawnSync([exe, ...args], { env: { ...process.env, ...env } });
      wall.push(performance.now() - started);
      if (!okCodes.includes(proc.exitCode ?? -1)) throw new Error(`${args[0]} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
      const usage = proc.resourceUsage;
      if (usage) cpu.push(Number(usage.cpuTime.user + usage.cpuTime.system) / 1000);
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const verdict = (ms: number): string => (ms <= goalMs ? "within" : "over");
    console.log(`${label} (goal ≤ ${goalMs} ms):`);
    console.log(`  wall median ${median(wall).toFixed(0)} ms (min ${Math.min(...wall).toFixed(0)}) — ${verdict(median(wall))}`);
    console.log(`  cpu  median ${median(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}) — ${verdict(median(cpu))}`);
  };
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${availableParallelism()} cores`,
  );
  measure(`baseline of ${RUNS} archives × ${PATHS_PER_RUN} paths, whole process`, 2000, ["baseline", ...archives, "-o", baselineFile], [0]);
  // The worker starts only while a core is idle; both ways, forced, show what it costs and gives here.
  measure("  the same on one thread (ASSAY_REVIEW_PARALLEL=0)", 2000, ["baseline", ...archives, "-o", baselineFile], [0], { ASSAY_REVIEW_PARALLEL: "0" });
  measure("  the same with the worker (ASSAY_REVIEW_PARALLEL=1)", 2000, ["baseline", ...archives, "-o", baselineFile], [0], { ASSAY_REVIEW_PARALLEL: "1" });
  measure(`check of one ${CHECK_PATHS}-path archive against it, whole process`, 500, ["check", head, "--baseline", baselineFile, "--json"], [1]);
  const baseline = readBaselineFile(baselineFile);
  console.log(
    `  baseline: ${baseline.paths.length} path entries (${baseline.paths.filter((p) => p.match === "glob").length} globs) from ${RUNS * PATHS_PER_RUN} observed paths`,
  );

  const rules = readReviewRules(undefined);
  const cache = new PathProjector(compileReviewRules(rules, "<default rules>"));
  const projected: ProjectedRun[] = [];
  for (const a of archives) projected.push(await openProjectedRun(a, cache));
  const headRun = await openProjectedRun(head, cache);
  summary(() => {
    bench("reference: union of raw paths of 100 runs (Set), sorted", () => {
      const all = new Set<string>();
      for (const r of projected) for (const p of r.evidence.paths) all.add(p);
      return [...all].sort().length;
    }).baseline();
    bench("engine: buildBaseline (counts, collapse) + render", () => renderBaseline(buildBaseline(rules, projected).baseline).length);
  });
  summary(() => {
    const exact = new Set(baseline.paths.map((p) => p.pattern));
    bench("reference: exact-set lookup of 100k paths", () => headRun.evidence.paths.filter((p) => !exact.has(p)).length).baseline();
    bench("engine: checkRun (globs, classes, writes, execs, endpoints)", () => checkRun(headRun, baseline).findings.length);
  });
  await run();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Seeded: shared trees (packages, libraries, data) the runs read in different parts, and a tenth
// of scratch writes under one directory.
async function writeArchive(runId: string, seed: number, count: number): Promise<string> {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  const paths = new Set<string>();
  const writes = new Set<string>();
  while (paths.size < count) {
    const roll = next() % 100;
    let path: string;
    if (roll < 70) path = `/opt/venv/lib/python3.11/site-packages/pkg${next() % 3000}/mod${next() % 40}.py`;
    else if (roll < 80) path = `/usr/lib/x86_64-linux-gnu/lib${next() % 5000}.so.1`;
    else if (roll < 90) path = `/srv/data/set${next() % 100}/part${next() % 1000}.bin`;
    else {
      path = `/work/tmp/${(next() % 1000).toString(36)}/out${next() % 100}.dat`;
      writes.add(path);
    }
    paths.add(path);
  }
  // The checked run also does a few things no baseline run did.
  if (runId === "run_head") for (let i = 0; i < 5; i++) writes.add(`/etc/cron.d/job${i}`), paths.add(`/etc/cron.d/job${i}`);
  const outputPath = join(dir, `${runId}.tar.gz`);
  await using writer = await ArchiveWriter.create({ outputPath, runId, spoolDir: dir });
  let chunk = "";
  let seq = 0;
  for (const value of paths) {
    const write = writes.has(value);
    chunk += `${canonicalJson({ schema: "assay.runner.kernel_event.v0", run_id: runId, seq: seq++, pid: 100, event_type: 1, kind: "openat", value, flags: write ? 577 : 0, mode: 0, return_value: 3, access_mode: write ? "write" : "read", ...(write ? { operation_flags: ["create", "truncate"] } : {}), status: "success" })}\n`;
    if (chunk.length > 1 << 20) {
      writer.append("layers/kernel.ndjson", chunk);
      chunk = "";
    }
  }
  writer.append("layers/kernel.ndjson", chunk);
  const endpoints = [`10.0.0.${seed % 4}:443`, "127.0.0.53:53"];
  writer.set(
    "capability-surface.json",
    canonicalJson({
      schema: "assay.runner.capability_surface.v0",
      run_id: runId,
      filesystem_paths: sortUnique(paths),
      network_endpoints: sortUnique(endpoints),
      process_execs: runId === "run_head" ? ["/opt/venv/bin/python3", "/usr/bin/curl"] : ["/opt/venv/bin/python3"],
      mcp_tools: [],
      policy_decisions: [],
    }),
  );
  writer.set(
    "correlation-report.json",
    canonicalJson({ schema: "assay.runner.correlation_report.v0", run_id: runId, status: "clean", bindings: [], ambiguities: [] }),
  );
  writer.set("observation-health.json", canonicalJson(kernelOnlyHealth(runId)));
  await writer.commit();
  return outputPath;
}
