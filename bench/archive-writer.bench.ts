// Archive writer throughput and memory.
// 1. Throughput: ArchiveWriter vs `tar -cf - … | gzip -9` on the same members (a realistic kernel
//    layer of ASSAY_BENCH_KERNEL_MIB MiB, default 256), measured in the same run with mitata's
//    `measure`; prints the engine/reference throughput ratio against the ≥ 0.9 goal.
// 2. Peak RSS of a child process writing, then of the compiled binary verifying, an archive with a
//    kernel layer of ASSAY_BENCH_RSS_MIB MiB (default 1024; 0 skips), against the ≤ 128 MiB goal.
// Large files go to a temporary directory that is removed at the end.
import { measure } from "mitata";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeArchiveWithKernel, writeKernelLayer, writeMemberFiles } from "./_archive-fixture.ts";

const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
const MiB = 2 ** 20;
const kernelMiB = Number(process.env.ASSAY_BENCH_KERNEL_MIB ?? 256);
const rssMiB = Number(process.env.ASSAY_BENCH_RSS_MIB ?? 1024);
const samples = Number(process.env.ASSAY_BENCH_SAMPLES ?? 3);
const dir = mkdtempSync(join(process.env.ASSAY_BENCH_DIR ?? tmpdir(), "assay-bench-writer-"));

try {
  const kernel = join(dir, "kernel.ndjson");
  const rows = await writeKernelLayer(kernel, kernelMiB * MiB);
  const kernelBytes = statSync(kernel).size;
  const membersDir = join(dir, "members");
  const names = await writeMemberFiles(membersDir, kernel);
  const quoted = names.map((n) => `'${n}'`).join(" ");
  const reference = () => {
    const proc = Bun.spawnSync(["sh", "-c", `tar -chf - -C '${membersDir}' ${quoted} | gzip -9 > '${join(dir, "reference.tar.gz")}'`]);
    if (proc.exitCode !== 0) throw new Error(`tar|gzip failed: ${proc.stderr.toString()}`);
  };
  const engine = () => writeArchiveWithKernel(kernel, join(dir, "engine.tar.gz"), dir);
  const options = { min_samples: samples, max_samples: samples, min_cpu_time: 0, warmup_samples: 0, warmup_threshold: 0 };
  // Interleave one warm-up of each so neither side gets a colder page cache.
  reference();
  await engine();
  const referenceStats = await measure(reference, options);
  const engineStats = await measure(engine, options);
  const mibPerS = (ns: number) => kernelBytes / MiB / (ns / 1e9);
  const ratio = referenceStats.p50 / engineStats.p50;
  console.log(`kernel layer: ${(kernelBytes / MiB).toFixed(0)} MiB, ${rows} rows; ${samples} samples each`);
  console.log(
    `reference tar | gzip -9 : median ${(referenceStats.p50 / 1e6).toFixed(0)} ms (${mibPerS(referenceStats.p50).toFixed(1)} MiB/s), compressed ${statSync(join(dir, "reference.tar.gz")).size} B`,
  );
  console.log(
    `engine ArchiveWriter    : median ${(engineStats.p50 / 1e6).toFixed(0)} ms (${mibPerS(engineStats.p50).toFixed(1)} MiB/s), compressed ${statSync(join(dir, "engine.tar.gz")).size} B`,
  );
  console.log(`writer throughput ratio engine/reference = ${ratio.toFixed(2)} — goal ≥ 0.9: ${ratio >= 0.9 ? "met" : "NOT met"}`);
  rmSync(membersDir, { recursive: true, force: true });
  rmSync(kernel, { force: true });

  if (rssMiB > 0) {
    const bigKernel = join(dir, "kernel-big.ndjson");
    const bigRows = await writeKernelLayer(bigKernel, rssMiB * MiB);
    const archive = join(dir, "big.tar.gz");
    const write = peak([process.execPath, join(import.meta.dir, "_archive-fixture.ts"), "write", bigKernel, archive, dir]);
    rmSync(bigKernel, { force: true });
    const verify = peak([exe, "verify", archive, "--quiet"]);
    console.log(`\n${rssMiB} MiB kernel layer (${bigRows} rows), archive ${(statSync(archive).size / MiB).toFixed(1)} MiB:`);
    console.log(
      `peak RSS writing  : ${(write.maxRss / MiB).toFixed(1)} MiB in ${(write.ms / 1000).toFixed(1)} s — goal ≤ 128 MiB: ${write.maxRss <= 128 * MiB ? "met" : "NOT met"}`,
    );
    console.log(
      `peak RSS verifying: ${(verify.maxRss / MiB).toFixed(1)} MiB in ${(verify.ms / 1000).toFixed(1)} s (exit ${verify.exitCode}) — goal ≤ 128 MiB: ${verify.maxRss <= 128 * MiB ? "met" : "NOT met"}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// GNU time reports the peak RSS of exactly that child (getrusage of our own children would give
// the largest of all children so far).
function peak(argv: string[]): { maxRss: number; ms: number; exitCode: number | null } {
  const started = performance.now();
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "MAXRSS_KB %M", ...argv], { stdout: "ignore", stderr: "pipe" });
  const ms = performance.now() - started;
  const stderr = proc.stderr.toString();
  const match = /MAXRSS_KB (\d+)/.exec(stderr);
  if (match === null || (proc.exitCode !== 0 && argv[1] !== "verify")) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${stderr}`);
  return { maxRss: Number(match[1]) * 1024, ms, exitCode: proc.exitCode };
}
