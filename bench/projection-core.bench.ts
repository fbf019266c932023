// The byte core (WebAssembly) against the previous engine (a string per path), figure by figure as
// issue 18 names them: each as the byte core's absolute figure and as a ratio to the previous
// engine measured in this same run. In-process: the classification core at 10, 1 000 and 10 000
// declared rules (+ built-in heuristics at 1 000). Whole process (the compiled binary, both engines
// in it: ASSAY_PROJECTION_CORE=string selects the previous one): summary, ndjson and json on 1M
// paths, peak RSS streaming 10M, start-up against --version (by default a 10-path file takes the
// string engine; the byte core forced is shown beside it).
import { bench, do_not_optimize, run, summary } from "mitata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ByteClassifier, classifyPathIds, compileRulesOrThrow, sortUniqueCodePoints, type CompiledRules } from "../src/projection/index.ts";
import { generatePaths, generateRules } from "../test/fixtures/projection/path-sets.ts";

const N = 1_000_000;
const paths = generatePaths(N);
// As a file holds them once loaded (see projection.bench.ts on why the sorted strings are re-laid).
const sortedPaths = JSON.parse(JSON.stringify(sortUniqueCodePoints(paths))) as string[];
const shuffledBytes = new TextEncoder().encode(`${paths.join("\n")}\n`);
const sortedBytes = new TextEncoder().encode(`${sortedPaths.join("\n")}\n`);
const out = new Int32Array(N);

const compiledFor = new Map<string, CompiledRules>();
const rulesFor = (count: number, heuristics: "none" | "builtin" = "none"): CompiledRules => {
  const key = `${count}/${heuristics}`;
  let c = compiledFor.get(key);
  if (!c) compiledFor.set(key, (c = compileRulesOrThrow(generateRules(count, heuristics))));
  return c;
};
// A byte core per rule set with the input already in its buffer, as a file read straight into it.
const loaded = new Map<string, ByteClassifier>();
const byteCore = (key: string, compiled: CompiledRules, bytes: Uint8Array): ByteClassifier => {
  let c = loaded.get(key);
  if (!c) {
    c = ByteClassifier.create(compiled)!;
    c.input(bytes.length).set(bytes);
    loaded.set(key, c);
  }
  return c;
};

const CASES = [
  { label: "10 rules", count: 10, heuristics: "none", sorted: false },
  { label: "1 000 rules", count: 1000, heuristics: "none", sorted: false },
  { label: "10 000 rules", count: 10_000, heuristics: "none", sorted: false },
  { label: "1 000 rules + built-in heuristics", count: 1000, heuristics: "builtin", sorted: false },
  { label: "1 000 rules + built-in heuristics, sorted", count: 1000, heuristics: "builtin", sorted: true },
] as const;

for (const c of CASES) {
  summary(() => {
    bench(`core ${c.label}: previous engine`, () =>
      do_not_optimize(classifyPathIds(c.sorted ? sortedPaths : paths, rulesFor(c.count, c.heuristics), out)),
    ).baseline();
    bench(`core ${c.label}: byte core`, () => {
      const bytes = c.sorted ? sortedBytes : shuffledBytes;
      return do_not_optimize(byteCore(`${c.label}`, rulesFor(c.count, c.heuristics), bytes).classifyIds(0, bytes.length, out));
    });
  });
}

const result = await run();
const p50 = new Map<string, number>();
for (const trial of result.benchmarks) for (const r of trial.runs) if (r.stats) p50.set(r.name, r.stats.p50);
const rate = (name: string, n: number) => n / (p50.get(name)! / 1e9) / 1e6;

const rows: string[][] = [];
const row = (figure: string, goal: string, previous: string, now: string, ratio: string, met: boolean | undefined) =>
  rows.push([figure, goal, previous, now, ratio, met === undefined ? "" : met ? "met" : "NOT met"]);
for (const c of CASES) {
  const before = rate(`core ${c.label}: previous engine`, N);
  const after = rate(`core ${c.label}: byte core`, N);
  row(
    `core, ${c.label}`,
    c.count === 1000 && c.heuristics === "none" ? "≥ 15 M/s" : "",
    `${before.toFixed(2)} M/s`,
    `${after.toFixed(2)} M/s`,
    `${(after / before).toFixed(2)}×`,
    c.count === 1000 && c.heuristics === "none" ? after >= 15 : undefined,
  );
}
const slowdown = (engine: string) => p50.get(`core 10 000 rules: ${engine}`)! / p50.get(`core 10 rules: ${engine}`)!;
row(
  "core, 10 000 rules vs 10 (slowdown)",
  "≤ 1.3×",
  `${slowdown("previous engine").toFixed(2)}×`,
  `${slowdown("byte core").toFixed(2)}×`,
  "",
  slowdown("byte core") <= 1.3,
);

const load = (await import("node:os")).loadavg()[0]!;
await processFigures();

console.log(
  `\nIssue 18 figures (p50 of the benches above; whole-process figures are medians of runs; ratio = byte core / previous engine; load average ${load.toFixed(1)} at the start of the process runs):`,
);
const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...[["figure", "goal", "previous engine", "byte core", "ratio", ""], ...rows].map((r) => r[i]!.length)));
for (const r of [["figure", "goal", "previous engine", "byte core", "ratio", ""], ...rows])
  console.log(`  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`);

// --- internal ---

interface Timed {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
}

/** Whole-process figures of the compiled binary, both engines, medians of runs. */
async function processFigures(): Promise<void> {
  const exe = process.env.ASSAY_EXE ?? join(resolve(import.meta.dir, ".."), "dist", "assay-runner");
  if (!(await Bun.file(exe).exists())) {
    console.log(`\n(no ${exe}: build it for the whole-process figures)`);
    return;
  }
  const gnuTime = (await Bun.file("/usr/bin/time").exists()) ? "/usr/bin/time" : undefined;
  const dir = mkdtempSync(join(tmpdir(), "assay-bench-core-"));
  try {
    const builtinRules = join(dir, "builtin.json");
    writeFileSync(builtinRules, JSON.stringify(generateRules(1000, "builtin")));
    const declaredRules = join(dir, "declared.json");
    writeFileSync(declaredRules, JSON.stringify(generateRules(1000)));
    const shuffled = join(dir, "paths.txt");
    writeFileSync(shuffled, shuffledBytes);
    const sorted = join(dir, "sorted.txt");
    writeFileSync(sorted, sortedBytes);
    const small = join(dir, "ten.txt");
    writeFileSync(small, `${paths.slice(0, 10).join("\n")}\n`);
    const engines = { previous: { ASSAY_PROJECTION_CORE: "string" }, byte: {} };
    const time = (args: string[], env: Record<string, string>, runs = 5): Timed => median(args, env, runs, exe, gnuTime);

    for (const [label, file] of [
      ["shuffled", shuffled],
      ["sorted", sorted],
    ] as const) {
      const before = time(["project", file, "--rules", builtinRules, "--format", "summary"], engines.previous);
      const after = time(["project", file, "--rules", builtinRules, "--format", "summary"], engines.byte);
      const oneCore = time(["project", file, "--rules", builtinRules, "--format", "summary"], { ASSAY_PROJECT_PARALLEL_MIN_BYTES: String(2 ** 52) });
      const twoCores = time(["project", file, "--rules", builtinRules, "--format", "summary"], { ASSAY_PROJECT_PARALLEL_MIN_BYTES: "0" });
      processRow(`whole process summary, 1 000 rules + built-in, ${label}`, "≥ 5 M/s", before, after, 5);
      processRow(`  forced onto one core`, "", before, oneCore, undefined);
      processRow(`  forced onto two cores (a worker)`, "", before, twoCores, undefined);
    }
    const ndBefore = time(["project", shuffled, "--rules", builtinRules, "--format", "ndjson"], engines.previous, 3);
    const ndAfter = time(["project", shuffled, "--rules", builtinRules, "--format", "ndjson"], engines.byte, 3);
    processRow("whole process ndjson, 1 000 rules + built-in", "≥ 2 M/s", ndBefore, ndAfter, 2);
    const jsBefore = time(["project", shuffled, "--rules", declaredRules, "--format", "json"], engines.previous, 3);
    const jsAfter = time(["project", shuffled, "--rules", declaredRules, "--format", "json"], engines.byte, 3);
    processRow("whole process json, 1M unordered × 1 000 declared rules", "≥ 2 M/s", jsBefore, jsAfter, 2);
    row(
      "  its peak RSS",
      "≤ 200 MiB",
      `${jsBefore.rssMiB.toFixed(0)} MiB`,
      `${jsAfter.rssMiB.toFixed(0)} MiB`,
      `${(jsAfter.rssMiB / jsBefore.rssMiB).toFixed(2)}×`,
      jsAfter.rssMiB > 0 ? jsAfter.rssMiB <= 200 : undefined,
    );

    if (gnuTime) {
      for (const format of ["summary", "ndjson"]) {
        const rss = (env: Record<string, string>) => {
          const script = `for i in 1 2 3 4 5 6 7 8 9 10; do cat "$1"; done | ${gnuTime} -f %M "$2" project - --rules "$3" --format ${format} > /dev/null`;
          const proc = Bun.spawnSync(["sh", "-c", script, "sh", shuffled, exe, builtinRules], { stderr: "pipe", env: { ...process.env, ...env } });
          return Number(proc.stderr.toString().trim().split("\n").at(-1)) / 1024;
        };
        const before = rss(engines.previous);
        const after = rss(engines.byte);
        row(
          `streaming 10M from stdin, ${format}, peak RSS`,
          "≤ 128 MiB",
          `${before.toFixed(0)} MiB`,
          `${after.toFixed(0)} MiB`,
          `${(after / before).toFixed(2)}×`,
          after <= 128,
        );
      }
    }

    // Interleaved, so a change in the host's load between the runs of one command and another's does not show as start-up.
    const smallArgs = ["project", small, "--rules", builtinRules, "--format", "summary"];
    const [version, startString, startAuto, startByte] = interleavedWallMs(
      [
        { args: ["--version"], env: {} },
        { args: smallArgs, env: engines.previous },
        { args: smallArgs, env: {} },
        { args: smallArgs, env: { ASSAY_PROJECTION_CORE: "byte" } },
      ],
      31,
      exe,
    ) as [number, number, number, number];
    row(
      "start-up, project on 10 paths above --version",
      "≤ 10 ms",
      `+${(startString - version).toFixed(1)} ms`,
      `+${(startAuto - version).toFixed(1)} ms`,
      "",
      startAuto - version <= 10,
    );
    row("  the same with the byte core forced", "", "", `+${(startByte - version).toFixed(1)} ms`, "", undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function processRow(figure: string, goal: string, before: Timed, after: Timed, goalMps: number | undefined): void {
  const mps = (t: Timed) => N / t.wallMs / 1000;
  const cpu = (t: Timed) => N / t.cpuMs / 1000;
  row(
    figure,
    goal,
    `${mps(before).toFixed(2)} M/s (cpu ${cpu(before).toFixed(2)})`,
    `${mps(after).toFixed(2)} M/s (cpu ${cpu(after).toFixed(2)})`,
    `${(mps(after) / mps(before)).toFixed(2)}×`,
    goalMps === undefined ? undefined : mps(after) >= goalMps,
  );
}

// Median wall time of each command over `runs` rounds, one run of each command per round.
function interleavedWallMs(commands: readonly { args: string[]; env: Record<string, string> }[], runs: number, exe: string): number[] {
  const walls = commands.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach(({ args, env }, k) => {
      const started = performance.now();
      const proc = Bun.spawnSync([exe, ...args], { stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
      walls[k]!.push(performance.now() - started);
      if (proc.exitCode !== 0) throw new Error(`${args.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
    });
  }
  return walls.map((xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
}

// Median wall time, CPU time (user + system of the process and its threads) and peak RSS of `runs` runs.
function median(args: string[], env: Record<string, string>, runs: number, exe: string, gnuTime: string | undefined): Timed {
  const wall: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const command = gnuTime ? [gnuTime, "-f", "%M", exe, ...args] : [exe, ...args];
    const started = performance.now();
    const proc = Bun.spawnSync(command, { stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
    wall.push(performance.now() - started);
    if (proc.exitCode !== 0) throw new Error(`${args.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
    const usage = proc.resourceUsage;
    if (usage) cpu.push(Number(usage.cpuTime.user + usage.cpuTime.system) / 1000);
    if (gnuTime) rss.push(Number(proc.stderr.toString().trim().split("\n").at(-1)) / 1024);
  }
  const mid = (xs: number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  return { wallMs: mid(wall), cpuMs: mid(cpu), rssMiB: mid(rss) };
}
