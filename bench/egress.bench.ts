// The cost of holding a session to an egress policy in the kernel: a C loop of 10k UDP connects
// (each runs the connect4 program) in a cgroup without programs and in one with the policy's
// programs attached, in interleaved rounds (bare, policy, bare again), the policy run against the
// mean of the bare runs around it. Goal: ≤ 1.1×. Needs root, cgroup v2 and gcc; skips otherwise.
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelEgress, parseEgressPolicy } from "../src/egress/index.ts";
import { findCgroup2Mount, findExecutable } from "../src/linux/index.ts";

const CONNECTS = 10_000;
const ROUNDS = 7;

const mount = findCgroup2Mount(await Bun.file("/proc/self/mountinfo").text());
const gcc = findExecutable("gcc");
if (process.getuid?.() !== 0 || mount === undefined || gcc === undefined) {
  console.log(`egress bench skipped: needs root (${process.getuid?.() === 0}), cgroup v2 (${mount !== undefined}) and gcc (${gcc !== undefined})`);
  process.exit(0);
}

const work = join(tmpdir(), `assay-egress-bench-${process.pid}`);
mkdirSync(work, { recursive: true });
const source = join(work, "connects.c");
const binary = join(work, "connects");
writeFileSync(
  source,
  `#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]); struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) { int s = socket(AF_INET, SOCK_DGRAM, 0); if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 2; close(s); }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.6f\\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0; }
`,
);
const built = Bun.spawnSync([gcc, "-O2", "-o", binary, source]);
if (built.exitCode !== 0) throw new Error(built.stderr.toString());

const bareGroup = join(mount, `assay-egress-bench-bare-${process.pid}`);
const policyGroup = join(mount, `assay-egress-bench-policy-${process.pid}`);
mkdirSync(bareGroup);
mkdirSync(policyGroup);
const port = 9;
const compiled = parseEgressPolicy({ schema: "assay.runner.egress_policy.v0", endpoints: [`127.0.0.2:${port}`] }, "bench");
if (!compiled.ok) throw new Error("bench policy did not compile");
const egress = KernelEgress.start({ cgroupPath: policyGroup, policy: compiled.value, mode: "block", namePrefix: "bench" });

/** Seconds the loop took inside `cgroup`. */
function loop(cgroup: string): number {
  const result = Bun.spawnSync(["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, binary, String(CONNECTS), String(port)]);
  if (result.exitCode !== 0) throw new Error(`connect loop failed (${result.exitCode}): ${result.stderr.toString()}`);
  return Number(result.stdout.toString().trim());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
try {
  loop(bareGroup);
  loop(policyGroup);
  const ratios: number[] = [];
  const noise: number[] = [];
  const bareTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = loop(bareGroup);
    const held = loop(policyGroup);
    const after = loop(bareGroup);
    ratios.push(held / ((before + after) / 2));
    noise.push(after / before);
    bareTimes.push(before, after);
  }
  const ratio = median(ratios);
  console.log(`egress policy (block), ${CONNECTS} UDP connects, ${ROUNDS} interleaved rounds:`);
  console.log(`  bare loop median ${(median(bareTimes) * 1e3).toFixed(1)} ms (${((median(bareTimes) / CONNECTS) * 1e9).toFixed(0)} ns a connect)`);
  console.log(
    `  policy / bare: median ${ratio.toFixed(3)}× [${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}] — goal ≤ 1.1×: ${ratio <= 1.1 ? "met" : "NOT met"}`,
  );
  console.log(`  bare / bare (the host's noise): median ${median(noise).toFixed(3)}× [${Math.min(...noise).toFixed(3)}–${Math.max(...noise).toFixed(3)}]`);
  console.log(`  attempts recorded: ${egress.attempts().length} (0 expected: every connect was allowed)`);
} finally {
  egress.close();
  rmdirSync(bareGroup);
  rmdirSync(policyGroup);
}
