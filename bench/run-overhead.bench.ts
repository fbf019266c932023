// Runner overhead: the whole `assay-runner run --capture none -- /bin/true` process against running
// `/bin/true` directly, in one mitata summary (reference = the bare workload). Prints the added
// median against the ≤ 60 ms goal, and whether the runner had a cgroup session (root) or not.
import { bench, run, summary } from "mitata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { locateCgroupHost } from "../src/linux/index.ts";

const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
const dir = mkdtempSync(join(tmpdir(), "assay-bench-run-"));
const isRoot = process.getuid?.() === 0;
const session = isRoot && locateCgroupHost().ok;
// One shared key file: the default host-local key lives in /var/lib/assay, which a bench must not create.
const keyFile = join(dir, "redaction.key");
await Bun.write(keyFile, `assay-redaction-key-v1:${Buffer.from(new Uint8Array(32).fill(7)).toString("base64url")}`);
const env = { ...process.env, ASSAY_REDACTION_KEY_FILE: keyFile };

function spawnOk(argv: string[]): number {
  const proc = Bun.spawnSync(argv, { env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
  return proc.exitCode;
}

const direct = ["/bin/true"];
const measured = [exe, "run", "--capture", "none", "--quiet", "-o", join(dir, "bench.tar.gz"), "--", "/bin/true"];

try {
  summary(() => {
    bench("reference: /bin/true directly", () => spawnOk(direct)).baseline();
    bench("engine: assay-runner run --capture none -- /bin/true", () => spawnOk(measured));
  });
  const results = await run();
  const p50 = (name: string): number => {
    const trial = results.benchmarks.find((b) => b.alias.startsWith(name));
    return (trial?.runs[0]?.stats?.p50 ?? Number.NaN) / 1e6;
  };
  const added = p50("engine") - p50("reference");
  console.log(
    `\nrun overhead (${session ? "root, with a cgroup v2 session" : "no cgroup session: not root or no cgroup v2"}): ` +
      `median ${p50("engine").toFixed(1)} ms vs ${p50("reference").toFixed(1)} ms direct = +${added.toFixed(1)} ms added — goal ≤ 60 ms: ${added <= 60 ? "met" : "NOT met"}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
