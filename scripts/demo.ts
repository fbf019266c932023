#!/usr/bin/env bun
// The measured demo run: build the binary, run the bundled sample agent under `assay-runner run`
// (kernel capture when this host allows it), then verify and inspect the archive, with timings.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { locateCgroupHost } from "../src/linux/index.ts";

const root = resolve(import.meta.dir, "..");
const exe = join(root, "dist", "assay-runner");
const isRoot = process.getuid?.() === 0;
const cgroup = locateCgroupHost();

const timings: Array<[string, number]> = [];
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings.push([label, performance.now() - start]);
  }
}

async function sh(argv: string[], options: { quiet?: boolean } = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(argv, { cwd: root, env: { ...process.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (!options.quiet) process.stderr.write(stderr);
  return { exitCode, stdout, stderr };
}

const build = await timed("build (bun scripts/build.ts)", () => sh([process.execPath, "scripts/build.ts"]));
if (build.exitCode !== 0) process.exit(build.exitCode);

// Evidence work dir and archive in demo-out/ (git-ignored; replaced by each demo, kept for inspection;
// ASSAY_DEMO_OUT names another) and, as upstream's fixtures do, control files under /dev/shm
// (filtered out of kernel evidence).
const demoDir = process.env.ASSAY_DEMO_OUT ?? join(root, "demo-out");
rmSync(demoDir, { recursive: true, force: true });
mkdirSync(demoDir);
const controlDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "assay-runner-demo-"));
const work = join(demoDir, "work");
mkdirSync(work);
copyFileSync(join(root, "scripts/demo/input.txt"), join(work, "input.txt"));
const archive = join(demoDir, "demo.tar.gz");

const canMeasure = isRoot && cgroup.ok;
const capture = canMeasure ? "auto" : "none";
if (!canMeasure) {
  console.error(
    `demo: ${isRoot ? "" : "not root; "}${cgroup.ok ? "" : `${cgroup.reason}; `}running contract-only (--capture none): no session, no kernel capture`,
  );
}
const runArgs = [
  exe,
  "run",
  "--run-id",
  "run_demo",
  "-o",
  archive,
  "--capture",
  capture,
  "--agent-shim",
  "openai-agents",
  "--sdk-event-log",
  join(controlDir, "sdk-events.ndjson"),
  "--policy-decision-log",
  join(controlDir, "policy-decisions.ndjson"),
  "--timeout",
  "2m",
  "--json",
  "--",
  join(root, "scripts/demo/agent.sh"),
  work,
];
console.error(`demo: $ ${runArgs.map((a) => (a.includes(" ") ? JSON.stringify(a) : a)).join(" ")}`);
// The agent finds the policy log path in its environment, as upstream's policy wrapper does.
process.env.ASSAY_RUNNER_POLICY_DECISION_LOG = join(controlDir, "policy-decisions.ndjson");
const run = await timed("assay-runner run (whole process)", () => sh(runArgs));
rmSync(controlDir, { recursive: true, force: true });
if (run.exitCode !== 0) {
  console.error(`demo: run exited ${run.exitCode}`);
  process.exit(run.exitCode);
}
const summary = JSON.parse(run.stdout) as {
  manifest_digest: string;
  capture_backend: string;
  health: { kernel_layer: string; policy_layer: string; sdk_layer: string; cgroup_correlation: string; correlation_status: string; notes: string[] };
  timings_ms: Record<string, number>;
};

const verify = await timed("assay-runner verify", () => sh([exe, "verify", archive], { quiet: true }));
const inspect = await timed("assay-runner inspect", () => sh([exe, "inspect", archive], { quiet: true }));

console.log(`\nmeasured demo run`);
console.log(`  archive          ${archive}`);
console.log(`  manifest digest  ${summary.manifest_digest}`);
console.log(`  capture          ${summary.capture_backend}${canMeasure ? "" : " (contract-only: not root or no cgroup v2)"}`);
console.log(
  `  health           kernel ${summary.health.kernel_layer} · policy ${summary.health.policy_layer} · sdk ${summary.health.sdk_layer} · ` +
    `cgroup ${summary.health.cgroup_correlation} · correlation ${summary.health.correlation_status}`,
);
for (const note of summary.health.notes) console.log(`  note             ${note}`);
console.log(`  output.txt       ${(await Bun.file(join(work, "output.txt")).text()).trim()}`);
console.log(`  verify           ${verify.exitCode === 0 ? "ok" : `exit ${verify.exitCode}: ${verify.stderr.trim().split("\n")[0] ?? ""}`}`);
if (inspect.exitCode === 0) console.log((inspect.stdout.trim() || inspect.stderr.trim()).replace(/^/gm, "  inspect          "));
else console.log(`  inspect          exit ${inspect.exitCode}: ${inspect.stderr.trim().split("\n")[0] ?? ""}`);
console.log(`\ntimings`);
for (const [label, ms] of timings) console.log(`  ${label.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms`);
for (const [phase, ms] of Object.entries(summary.timings_ms)) console.log(`  run phase ${phase.padEnd(26)} ${ms.toFixed(1).padStart(8)} ms`);
process.exit(verify.exitCode === 0 ? 0 : 1);
