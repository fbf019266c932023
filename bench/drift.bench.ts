// Runtime drift at scale: two archives with 100k filesystem paths and 10k endpoints each (the goal's
// shape), and the same with 100k kernel open rows per arm on top. Prints the whole-process time of
// the compiled binary against the 1 s goal, and, in one mitata summary, the in-process engine
// against a plain reference set diff (the ratio is what a guard should watch on a shared host).
import { bench, run, summary } from "mitata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  buildDriftReport,
  DEFAULT_PROVIDER_HOSTS,
  observeArchive,
  openSide,
  parseDriftProjectionRules,
  renderPythonJson,
  type ArchiveObservation,
} from "../src/compare/index.ts";
import { ArchiveWriter, canonicalJson, sortUnique } from "../src/evidence/index.ts";
import { kernelOnlyHealth } from "../test/fixtures/health.ts";

const PATHS = 100_000;
const ENDPOINTS = 10_000;
const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
const dir = mkdtempSync(join(tmpdir(), "assay-bench-drift-"));

try {
  const a = await writeArchive("run_a", 1, true);
  const b = await writeArchive("run_b", 2, true);
  const surfaceA = await writeArchive("run_a", 1, false);
  const surfaceB = await writeArchive("run_b", 2, false);
  const flags = [
    "--path-alias",
    "/work/run_a/input.txt=workdir/input",
    "--path-alias",
    "/work/run_b/input.txt=workdir/input",
    "--network-cidr",
    "10.0.0.0/8=provider_api",
    "--fixture-path",
    "/work/run_a/input.txt",
  ];

  // Whole process, as a user runs it: spawn, read both archives, project, render, write.
  // Wall time suffers from other load on a shared host; CPU time (user + system) much less so.
  const measure = (label: string, left: string, right: string): void => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const proc = Bun.spawnSync([exe, "drift", left, right, ...flags, "--out-json", join(dir, "drift.json"), "--out-md", join(dir, "drift.md")]);
      wall.push(performance.now() - started);
      if (proc.exitCode !== 0) throw new Error(`drift exited ${proc.exitCode}: ${proc.stderr.toString()}`);
      const usage = proc.resourceUsage;
      if (usage) cpu.push(Number(usage.cpuTime.user + usage.cpuTime.system) / 1000);
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const verdict = (ms: number): string => (ms <= 1000 ? "within" : "over");
    console.log(`drift whole process, ${label} (goal ≤ 1000 ms):`);
    console.log(`  wall median ${median(wall).toFixed(0)} ms (min ${Math.min(...wall).toFixed(0)}) — ${verdict(median(wall))}`);
    console.log(`  cpu  median ${median(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}) — ${verdict(median(cpu))}`);
  };
  measure(`${PATHS} paths + ${ENDPOINTS} endpoints per arm`, surfaceA, surfaceB);
  measure(`${PATHS} paths + ${PATHS} kernel open rows + ${ENDPOINTS} endpoints per arm`, a, b);

  const sideA = await observe(a);
  const sideB = await observe(b);
  const options = {
    fixturePaths: ["/work/run_a/input.txt"],
    providerHosts: [...DEFAULT_PROVIDER_HOSTS],
    rules: parseDriftProjectionRules({
      pathAliases: ["/work/run_a/input.txt=workdir/input", "/work/run_b/input.txt=workdir/input"],
      networkAliases: [],
      networkCidrs: ["10.0.0.0/8=provider_api"],
    }),
    provenance: {},
  };
  summary(() => {
    // Reference: the bare set differences of the three big rows, UTF-16 sort, nothing else.
    bench("reference: set diffs of fs, kernel and network rows", () => [
      naiveDiff(sideA.surface.filesystem_paths, sideB.surface.filesystem_paths),
      naiveDiff(sideA.kernelFileOperations, sideB.kernelFileOperations),
      naiveDiff(sideA.surface.network_endpoints, sideB.surface.network_endpoints),
    ]).baseline();
    bench("engine: buildDriftReport + Python-style JSON", () => renderPythonJson(buildDriftReport(sideA, sideB, options)).length);
  });
  await run();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function observe(path: string): Promise<ArchiveObservation> {
  const side = await openSide(path);
  const result = observeArchive(path, side.member, (bytes) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex"));
  if (!result.ok) throw new Error(result.issues[0].message);
  return result.value;
}

function naiveDiff(a: readonly string[], b: readonly string[]): number {
  const setA = new Set(a);
  const setB = new Set(b);
  const onlyA = [...setA].filter((x) => !setB.has(x)).sort();
  const onlyB = [...setB].filter((x) => !setA.has(x)).sort();
  const both = [...setA].filter((x) => setB.has(x)).sort();
  return onlyA.length + onlyB.length + both.length;
}

// Seeded, so every run benchmarks the same archives: 70 % of paths shared, 30 % per-run.
async function writeArchive(runId: string, seed: number, withKernel: boolean): Promise<string> {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  const paths: string[] = [`/work/${runId}/input.txt`];
  for (let i = 1; i < PATHS; i++)
    paths.push(next() % 10 < 7 ? `/usr/lib/node_modules/pkg${i % 997}/file${i}.js` : `/work/${runId}/tmp/${next().toString(36)}/${i}.dat`);
  const endpoints: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++)
    endpoints.push(next() % 10 < 7 ? `10.${(i >> 8) & 255}.${i & 255}.${i % 7}:443` : `[2001:db8::${(next() & 0xffff).toString(16)}]:${i % 65535}`);
  const outputPath = join(dir, `${runId}${withKernel ? "-kernel" : ""}.tar.gz`);
  await using writer = await ArchiveWriter.create({ outputPath, runId, spoolDir: dir });
  let chunk = "";
  if (withKernel)
    paths.forEach((value, seq) => {
      chunk += `${canonicalJson({ schema: "assay.runner.kernel_event.v0", run_id: runId, seq, pid: 100, event_type: 1, kind: "openat", value, access_mode: "read", status: "success" })}\n`;
      if (chunk.length > 1 << 20) {
        writer.append("layers/kernel.ndjson", chunk);
        chunk = "";
      }
    });
  writer.append("layers/kernel.ndjson", chunk);
  writer.set(
    "capability-surface.json",
    canonicalJson({
      schema: "assay.runner.capability_surface.v0",
      run_id: runId,
      filesystem_paths: sortUnique(paths),
      network_endpoints: sortUnique(endpoints),
      process_execs: [],
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
