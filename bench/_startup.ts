// Whole-process start-up of the binary's short commands against the floor of any compiled Bun
// program: a hello-world compiled in the same run with the binary's own flags. Shared by
// bench/startup.bench.ts (figures and goals) and scripts/bench-guard.ts (the regression guard).
// mitata times one bench after another; here every round spawns the floor and each command once,
// in an order that rotates from round to round, so that the load of a shared host falls on both
// sides of every ratio. A figure is the median over the rounds; its spread is the p25–p75 of the
// per-round ratios (each command against the floor spawned in the same round).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { COMPILE_FLAGS } from "../scripts/compile-flags.ts";

/** One command line timed against the floor. */
export interface StartupCase {
  readonly name: string;
  readonly argv: readonly string[];
  /** The goal: at most this multiple of the floor's median wall time. */
  readonly goal?: number;
}

/** What the rounds measured for one command line. */
export interface StartupFigure {
  readonly name: string;
  /** Median wall and CPU (user + system) time of a whole process, ms. */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Median wall time over the floor's median wall time; the same for CPU time. */
  readonly ratio: number;
  readonly cpuRatio: number;
  /** p25 and p75 of the per-round ratios (wall). */
  readonly spread: readonly [number, number];
  readonly goal?: number;
}

/** The floor and every case, measured in the same rounds. */
export interface StartupFigures {
  readonly floor: { readonly wallMs: number; readonly cpuMs: number };
  readonly figures: readonly StartupFigure[];
  readonly rounds: number;
}

/** The upstream archive and document the short commands read (real upstream data, a few KiB). */
export const upstreamArchive = resolve(import.meta.dir, "../test/fixtures/upstream/archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
export const upstreamLayer = resolve(import.meta.dir, "../test/fixtures/upstream/extracted/intact-no-open-metadata/layers/kernel.ndjson");

/** The command lines the start-up budget of issue 19 names, with its goals. */
export function startupCases(exe: string, label = ""): StartupCase[] {
  return [
    { name: `--version${label}`, argv: [exe, "--version"], goal: 1.3 },
    { name: `--help${label}`, argv: [exe, "--help"] },
    { name: `verify <upstream archive>${label}`, argv: [exe, "verify", upstreamArchive], goal: 2.0 },
    { name: `validate <upstream kernel layer>${label}`, argv: [exe, "validate", upstreamLayer] },
    { name: `inspect <upstream archive>${label}`, argv: [exe, "inspect", upstreamArchive] },
  ];
}

/** ASSAY_EXE, or dist/assay-runner built from this checkout first (scripts/build.ts skips a fresh one). */
export function binaryUnderTest(): string {
  if (process.env.ASSAY_EXE !== undefined) return process.env.ASSAY_EXE;
  const root = resolve(import.meta.dir, "..");
  const built = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts")], { stdout: "inherit", stderr: "inherit" });
  if (built.exitCode !== 0) throw new Error("scripts/build.ts failed");
  return join(root, "dist", "assay-runner");
}

/** A temporary directory holding a hello-world compiled like the binary; removed on disposal. */
export function compileFloor(): { readonly exe: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), "assay-bench-startup-"));
  const source = join(dir, "hello.ts");
  const exe = join(dir, "hello");
  writeFileSync(source, 'console.log("hello, world");\n');
  const built = Bun.spawnSync([process.execPath, "build", ...COMPILE_FLAGS, source, "--outfile", exe], { stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`compiling the hello-world floor failed: ${built.stderr.toString()}`);
  }
  return { exe, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Spawns the floor and every case once per round (rotating order) and returns medians and ratios. */
export function measureStartup(floor: string, cases: readonly StartupCase[], rounds: number): StartupFigures {
  const lines: readonly (readonly string[])[] = [[floor], ...cases.map((c) => c.argv)];
  // Warm-up: the page cache holds every binary, and every command line must succeed.
  for (const argv of lines) spawnTimed(argv);
  const wall = lines.map(() => [] as number[]);
  const cpu = lines.map(() => [] as number[]);
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < lines.length; k += 1) {
      const i = (round + k) % lines.length;
      const sample = spawnTimed(lines[i]!);
      wall[i]!.push(sample.wallMs);
      cpu[i]!.push(sample.cpuMs);
    }
  }
  const floorWall = median(wall[0]!);
  const floorCpu = median(cpu[0]!);
  const figures = cases.map((c, j): StartupFigure => {
    const perRound = wall[j + 1]!.map((ms, round) => ms / wall[0]![round]!);
    const figure = {
      name: c.name,
      wallMs: median(wall[j + 1]!),
      cpuMs: median(cpu[j + 1]!),
      ratio: median(wall[j + 1]!) / floorWall,
      cpuRatio: median(cpu[j + 1]!) / floorCpu,
      spread: [quantile(perRound, 0.25), quantile(perRound, 0.75)] as const,
    };
    return c.goal === undefined ? figure : { ...figure, goal: c.goal };
  });
  return { floor: { wallMs: floorWall, cpuMs: floorCpu }, figures, rounds };
}

/** One line per figure: median, ratio against the floor, spread, CPU ratio and the goal's verdict. */
export function renderStartup(result: StartupFigures): string[] {
  const width = Math.max(...result.figures.map((f) => f.name.length));
  const lines = [
    `${"hello-world floor".padEnd(width)}  ${result.floor.wallMs.toFixed(1)} ms wall, ${result.floor.cpuMs.toFixed(1)} ms CPU (median of ${result.rounds} rounds)`,
  ];
  for (const f of result.figures) {
    const goal = f.goal === undefined ? "" : ` — goal ≤ ${f.goal.toFixed(1)}×: ${f.ratio <= f.goal ? "met" : "NOT met"}`;
    lines.push(
      `${f.name.padEnd(width)}  ${f.ratio.toFixed(2)}× the floor (${f.wallMs.toFixed(1)} ms; rounds p25–p75 ${f.spread[0].toFixed(2)}–${f.spread[1].toFixed(2)}×; CPU ${f.cpuRatio.toFixed(2)}×)${goal}`,
    );
  }
  return lines;
}

// --- internal ---

function spawnTimed(argv: readonly string[]): { wallMs: number; cpuMs: number } {
  const started = performance.now();
  const proc = Bun.spawnSync([...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const wallMs = performance.now() - started;
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
  return { wallMs, cpuMs: Number(proc.resourceUsage.cpuTime.total) / 1000 };
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}
