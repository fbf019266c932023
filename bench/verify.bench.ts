// Whole-process `assay-runner verify` on a real upstream archive, against the same binary's
// `--version` (process start-up floor) in one mitata summary; prints the verify median against
// the ≤ 60 ms goal and the share that is verification proper.
import { bench, run, summary } from "mitata";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
const archive = resolve(root, "test/fixtures/upstream/archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");

function spawnOk(argv: string[]): number {
  const proc = Bun.spawnSync(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
  return proc.exitCode;
}

summary(() => {
  bench("reference: assay-runner --version (start-up floor)", () => spawnOk([exe, "--version"])).baseline();
  bench("engine: assay-runner verify <real upstream archive>", () => spawnOk([exe, "verify", archive, "--quiet"]));
});
const results = await run();
const p50 = (prefix: string): number => {
  const trial = results.benchmarks.find((b) => b.alias.startsWith(prefix));
  return (trial?.runs[0]?.stats?.p50 ?? Number.NaN) / 1e6;
};
const verify = p50("engine");
const floor = p50("reference");
console.log(
  `\nverify whole process: median ${verify.toFixed(1)} ms (start-up floor ${floor.toFixed(1)} ms, verification +${(verify - floor).toFixed(1)} ms) — goal ≤ 60 ms: ${verify <= 60 ? "met" : "NOT met"}`,
);
