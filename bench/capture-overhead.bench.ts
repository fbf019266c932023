// Kernel capture cost of the native eBPF engine (issue 13, "Performance"), measured as the
// workload's own loop time (it prints it), in interleaved rounds so that the load of a shared host
// falls on both sides: bare, then the engine and the mechanism floor (in alternating order), then
// bare again; each figure the median of three loops, each ratio against the mean of the bare
// figures around it. The floor is the engine's own tracepoints (ATTACHMENTS) carrying programs
// that do nothing: attaching any per-syscall tracepoint sends every syscall of the host down the
// kernel's slow path, which no program can avoid. The two bare figures of a round against each
// other are the host's noise: a difference smaller than their spread is not measured here.
// Goals: 100k opens ≤ 1.15× bare and ≤ 1.05× the floor; distinct-path opens captured without
// loss at ≥ 500k events/s (10× the bpftrace backend's 38–57k) or at the loop's full speed; run
// start → the workload's first instruction ≤ 50 ms, a whole `run -- /bin/true` ≤ +50 ms against
// `--capture none`; the binary ≤ 1 MB larger than the last bpftrace-based build.
// Also: the ptrace backend against raw `strace --seccomp-bpf` (≤ 1.1×) and a build-like workload
// (python3 -m compileall; eBPF ≤ 1.05× bare), when strace and python3 are here.
// ASSAY_BENCH_SECTIONS (comma-separated: size, loop, stats, rate, startup, ptrace) runs only those.
// Needs root, cgroup v2 and a C compiler; the engine is armed in this process, so every workload
// is spawned asynchronously (the engine drains its ring buffer on this process's event loop).
import { bench, run, summary } from "mitata";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  BpfProgram,
  exit,
  loadedPrograms,
  mov,
  ProgramType,
  R0,
  RawTracepointLink,
  rawTracepointTarget,
  readTracepointFormat,
  TracepointLink,
} from "../src/bpf/index.ts";
import { ATTACHMENTS, SYSCALL_HANDLERS } from "../src/capture/ebpf/attachments.ts";
import { COMPILE_FLAGS } from "../scripts/compile-flags.ts";
import { createEbpfBackend, straceCommand, type ArmedCapture, type CaptureOutcome } from "../src/capture/index.ts";
import { ensureTracefs, findCgroup2Mount, findExecutable, readHostFacts } from "../src/linux/index.ts";

const root = resolve(import.meta.dir, "..");
const exe = process.env.ASSAY_EXE ?? join(root, "dist", "assay-runner");
// The last build whose eBPF capture was bpftrace (the native engine came in 6a25ba2).
const sizeBase = process.env.ASSAY_BENCH_SIZE_BASE ?? "6a25ba2^";
const mount = findCgroup2Mount(await Bun.file("/proc/self/mountinfo").text());
const cc = findExecutable("gcc") ?? findExecutable("cc");
const tracefs = process.getuid?.() === 0 ? ensureTracefs(readHostFacts()) : undefined;
if (process.getuid?.() !== 0 || mount === undefined || cc === undefined || tracefs === undefined) {
  console.log("capture-overhead: skipped (needs root, cgroup v2, tracefs and a C compiler)");
  process.exit(0);
}
const strace = findExecutable("strace");
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : findExecutable("python3");

const OPENS = 100_000;
const ROUNDS = Number(process.env.ASSAY_BENCH_ROUNDS ?? 7);
const RATE_COUNTS = [100_000, 300_000, 1_000_000];
const RATE_ROUNDS = 5;
const STARTUP_ROUNDS = 9;
const SECTIONS = process.env.ASSAY_BENCH_SECTIONS?.split(",").map((name) => name.trim());
const wanted = (section: "size" | "loop" | "stats" | "rate" | "startup" | "ptrace") => SECTIONS === undefined || SECTIONS.includes(section);
const PTRACE_OPENS = 20_000;
const DISTINCT_PREFIX = "/nonexistent-assay-bench/";
// Kernel object names: the engine's (armEbpf names them a<pid>_…) and the floor's.
const ENGINE_PREFIX = `a${process.pid}_`;
const FLOOR_PREFIX = `f${process.pid}_`;

const dir = mkdtempSync(join(tmpdir(), "assay-bench-capture-"));
const session = join(mount, `assay-bench-session-${process.pid}`);
mkdirSync(session);
const inSession = (argv: readonly string[]) => ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', join(session, "cgroup.procs"), ...argv];

/** The most programs of other engines seen loaded during the current round. */
let foreignSeen = 0;

interface LoopTime {
  readonly wall: number;
  readonly cpu: number;
}

try {
  const programs = buildPrograms(dir, cc);
  const loop = (count: number, distinct = false) => inSession([programs.loop, String(count), ...(distinct ? ["distinct"] : [])]);
  const tree = python === undefined ? undefined : buildPythonTree(join(dir, "tree"), 400);
  const compileArgv = python === undefined || tree === undefined ? undefined : [python, "-m", "compileall", "-q", "-f", tree.path];

  // 1. Binary size, first: building the base is CPU work that must not fall into a measurement.
  if (wanted("size")) {
    console.log(`\n## binary size\n`);
    const base = buildBaseBinary(sizeBase);
    const size = existsSync(exe) ? statSync(exe).size : Number.NaN;
    if (base.size === undefined) console.log(`${exe}: ${mib(size)}; base ${sizeBase} not built: ${base.why}`);
    else {
      const growth = size - base.size;
      console.log(`${exe}: ${mib(size)} (${size} bytes); ${sizeBase} (bpftrace-based) built here with the same bun: ${mib(base.size)} (${base.size} bytes)`);
      console.log(
        `growth: ${(growth / 1024).toFixed(0)} KiB (everything merged since ${sizeBase}, not only the engine) — goal ≤ 1024 KiB: ${growth <= 1 << 20 ? "met" : "NOT met"}`,
      );
    }
    const share = await engineShare();
    if (share.bytes === undefined) console.log(`the engine's own share: not measured: ${share.why}`);
    else
      console.log(
        `the engine's own share (src/bpf and src/capture/ebpf, with what they import): ${(share.bytes / 1024).toFixed(0)} KiB — a binary of the engine and the Node.js builtins it imports (${share.builtins.join(", ")}) against one importing those builtins alone, both with the shipped flags — goal ≤ 1024 KiB: ${share.bytes <= 1 << 20 ? "met" : "NOT met"}`,
      );
  }

  // 2. The open loop (one path: the kernel deduplicates, so this is the per-syscall cost) and
  // compileall, interleaved rounds.
  if (wanted("loop")) {
    console.log(`\n## open loop: C, ${OPENS} opens of one path; ${ROUNDS} interleaved rounds, each figure the median of 3 loops\n`);
    const rounds: Array<Record<"bareBefore" | "bareAfter" | "engine" | "floor", LoopTime> & { build?: { before: number; engine: number; after: number } }> = [];
    const attachMs: number[] = [];
    const detachMs: number[] = [];
    const foreign: number[] = [];
    const loss: string[] = [];
    let programTable: string | undefined;
    for (let round = 0; round < ROUNDS; round += 1) {
      // Another run's engine puts every syscall of the host on the slow path, bare runs included.
      await quietHost(20_000);
      foreignSeen = 0;
      const bareBefore = await medianLoop(loop(OPENS));
      const buildBefore = compileArgv ? await wallOf(inSession(compileArgv)) : undefined;
      let engine: LoopTime | undefined;
      let floor: LoopTime | undefined;
      let buildEngine: number | undefined;
      const runEngine = async () => {
        const armed = await armOn(session);
        try {
          attachMs.push(armed.attachMs ?? Number.NaN);
          programTable ??= describePrograms(ENGINE_PREFIX);
          engine = await medianLoop(loop(OPENS));
          buildEngine = compileArgv ? await wallOf(inSession(compileArgv)) : undefined;
          const outcome = await armed.stop(2000);
          loss.push(lossLine(outcome));
        } finally {
          await armed[Symbol.asyncDispose]();
        }
        // The engine detaches in the background; the next figure must not run beside its programs.
        detachMs.push(await detached(ENGINE_PREFIX));
      };
      const runFloor = async () => {
        {
          using _floor = attachEmptyPrograms(tracefs);
          floor = await medianLoop(loop(OPENS));
        }
        await detached(FLOOR_PREFIX);
      };
      // Alternate which comes first, so neither always follows a bare run.
      if (round % 2 === 0) {
        await runEngine();
        await runFloor();
      } else {
        await runFloor();
        await runEngine();
      }
      const bareAfter = await medianLoop(loop(OPENS));
      const buildAfter = compileArgv ? await wallOf(inSession(compileArgv)) : undefined;
      foreign.push(foreignSeen);
      if (engine === undefined || floor === undefined) throw new Error("a round ended without its figures");
      const figures = { bareBefore, bareAfter, engine, floor };
      rounds.push(
        buildBefore !== undefined && buildEngine !== undefined && buildAfter !== undefined
          ? { ...figures, build: { before: buildBefore, engine: buildEngine, after: buildAfter } }
          : figures,
      );
    }
    const bareWall = (r: (typeof rounds)[number]) => mean(r.bareBefore.wall, r.bareAfter.wall);
    const bareCpu = (r: (typeof rounds)[number]) => mean(r.bareBefore.cpu, r.bareAfter.cpu);
    console.log(`bare loop: ${rounds.map((r) => `${(bareWall(r) * 1000).toFixed(0)}`).join(", ")} ms (mean of the two bare figures, per round)`);
    spread(
      rounds.map((r) => r.engine.wall / bareWall(r)),
      1.15,
      "engine vs bare (loop wall time)",
    );
    spread(
      rounds.map((r) => r.engine.wall / r.floor.wall),
      1.05,
      "engine vs mechanism floor, same round (loop wall time)",
    );
    spread(
      rounds.map((r) => r.floor.wall / bareWall(r)),
      undefined,
      "mechanism floor vs bare: the engine's tracepoints carrying empty programs (loop wall time)",
    );
    spread(
      rounds.map((r) => r.bareAfter.wall / r.bareBefore.wall),
      undefined,
      "noise floor: bare after vs bare before, same round (loop wall time)",
    );
    spread(
      rounds.map((r) => r.engine.cpu / bareCpu(r)),
      undefined,
      "engine vs bare (loop CPU time)",
    );
    spread(
      rounds.map((r) => r.engine.cpu / r.floor.cpu),
      undefined,
      "engine vs mechanism floor (loop CPU time)",
    );
    spread(
      rounds.map((r) => r.floor.cpu / bareCpu(r)),
      undefined,
      "mechanism floor vs bare (loop CPU time)",
    );
    spread(
      rounds.map((r) => ((r.engine.wall - bareWall(r)) / OPENS) * 1e9),
      undefined,
      "engine's cost per open+close iteration, ns (wall)",
      "ns",
      0,
    );
    spread(
      rounds.map((r) => ((r.engine.wall - r.floor.wall) / OPENS) * 1e9),
      undefined,
      "of which above the floor, ns (wall)",
      "ns",
      0,
    );
    for (const [i, line] of loss.entries()) console.log(`round ${i + 1} capture: ${line}`);
    const busy = foreign.flatMap((n, i) => (n > 0 ? [`round ${i + 1} (${n} programs)`] : []));
    console.log(
      `other runs' engines loaded on the host during the loops (every syscall then takes the slow path, bare runs too): ${busy.length === 0 ? "none seen" : busy.join(", ")}`,
    );
    const clean = rounds.filter((_, i) => foreign[i] === 0);
    if (busy.length > 0 && clean.length > 0) {
      spread(
        clean.map((r) => r.engine.wall / bareWall(r)),
        1.15,
        `  rounds without them (${clean.length}): engine vs bare`,
      );
      spread(
        clean.map((r) => r.engine.wall / r.floor.wall),
        1.05,
        `  rounds without them (${clean.length}): engine vs floor`,
      );
      spread(
        clean.map((r) => r.floor.wall / bareWall(r)),
        undefined,
        `  rounds without them (${clean.length}): floor vs bare`,
      );
    }
    const builds = rounds.flatMap((r) => (r.build ? [r.build] : []));
    if (tree !== undefined && builds.length > 0) {
      console.log(`\ncompileall over ${tree.files} generated files (whole process wall time):`);
      spread(
        builds.map((b) => b.engine / mean(b.before, b.after)),
        1.05,
        "compileall, engine vs bare",
      );
      spread(
        builds.map((b) => b.after / b.before),
        undefined,
        "compileall, noise floor: bare after vs bare before, same round",
      );
    }

    // 3. What loading costs: arm time (maps, build, load, attach) and what the verifier walked.
    console.log(`\n## arm\n`);
    console.log(
      `arm (ArmedCapture.attachMs): first ${fmtMs(attachMs[0])} (cold), then ${attachMs.slice(1).map(fmtMs).join(", ")}; median ${fmtMs(median(attachMs))}`,
    );
    console.log(
      `close → every program gone from the kernel (in the background, off the runner's path): median ${fmtMs(median(detachMs))} [${range(detachMs, 0)}]`,
    );
    console.log(programTable ?? "program info: not read");
  }

  // 3b. The programs' own run time (kernel.bpf_stats_enabled, per-program run_time_ns and
  // run_cnt), which does not move with the host's load as wall times do. On only for this pass.
  if (wanted("stats")) {
    console.log(`\n## BPF run time (bpf_stats_enabled), 100k opens of one path and 100k distinct paths\n`);
    for (const [label, argv] of [
      ["one path", loop(OPENS)],
      ["distinct paths", loop(OPENS, true)],
    ] as const) {
      const armed = await armOn(session);
      try {
        const stats = await withBpfStats(async () => {
          const before = programStats(ENGINE_PREFIX);
          await loopTime(argv);
          const after = programStats(ENGINE_PREFIX);
          return [...after].map(([name, a]) => ({ name, ns: a.ns - (before.get(name)?.ns ?? 0), runs: a.runs - (before.get(name)?.runs ?? 0) }));
        });
        if (stats === undefined) console.log("skipped: /proc/sys/kernel/bpf_stats_enabled is not writable");
        else {
          const total = stats.reduce((sum, s) => sum + s.ns, 0);
          const busy = stats.filter((s) => s.runs > 0).map((s) => `${s.name} ${s.runs} runs × ${(s.ns / s.runs).toFixed(0)} ns`);
          console.log(`${label}: ${(total / OPENS).toFixed(0)} ns of BPF per loop iteration (all programs, every process of the host); ${busy.join(", ")}`);
        }
        await armed.stop(5000);
      } finally {
        await armed[Symbol.asyncDispose]();
      }
      await detached(ENGINE_PREFIX);
    }
  }

  // 4. Lossless rate: distinct paths (none deduplicated; each fails fast), default ring buffer.
  if (wanted("rate")) {
    console.log(`\n## lossless rate: distinct-path opens (open("${DISTINCT_PREFIX}<i>"), fails fast), default ring buffer\n`);
    for (const count of RATE_COUNTS) {
      // A single loop swings ±15 % on this host: each figure is the median of RATE_ROUNDS rounds,
      // and every round must be lossless.
      const rates: number[] = [];
      const bareRates: number[] = [];
      const cpuPerOpen: number[] = [];
      const bareCpuPerOpen: number[] = [];
      const losses: string[] = [];
      for (let round = 0; round < RATE_ROUNDS; round += 1) {
        const bare = await loopTime(loop(count, true));
        const armed = await armOn(session);
        let captured: LoopTime;
        let outcome: CaptureOutcome;
        try {
          captured = await loopTime(loop(count, true));
          outcome = await armed.stop(5000);
        } finally {
          await armed[Symbol.asyncDispose]();
        }
        await detached(ENGINE_PREFIX);
        const seen = new Set<string>();
        for await (const record of outcome.records) if (record.eventType === 1 && record.value?.startsWith(DISTINCT_PREFIX)) seen.add(record.value);
        if (seen.size !== count || outcome.loss.ringbufDrops !== 0)
          losses.push(
            `round ${round + 1}: ${seen.size} of ${count} distinct paths, ring drops ${outcome.loss.ringbufDrops}, openat emitted ${outcome.loss.hooks.openat.emitted}`,
          );
        rates.push(count / captured.wall);
        bareRates.push(count / bare.wall);
        cpuPerOpen.push((captured.cpu / count) * 1e9);
        bareCpuPerOpen.push((bare.cpu / count) * 1e9);
      }
      const rate = median(rates);
      const goal = losses.length === 0 && (rate >= 500_000 || rate >= median(bareRates) / 1.15) ? "met" : "NOT met";
      console.log(
        `${count} opens, ${RATE_ROUNDS} rounds: captured ${kps(rate)} median [${range(
          rates.map((r) => r / 1000),
          0,
        )}k], bare loop ${kps(median(bareRates))}; loop CPU per open ${median(cpuPerOpen).toFixed(0)} ns captured (${kps(1e9 / median(cpuPerOpen))} on a whole CPU), ${median(bareCpuPerOpen).toFixed(0)} ns bare; ${losses.length === 0 ? "every round lossless (every distinct path captured, 0 ring drops)" : `LOSS: ${losses.join("; ")}`}` +
          ` — goal lossless at ≥ 500k/s or the bare loop's speed (within 1.15×): ${goal}`,
      );
    }
  }

  // 5. Start-up through the compiled binary: run start → the workload's first instruction (a C
  // program printing CLOCK_REALTIME), and whole runs of /bin/true; eBPF and none interleaved.
  if (wanted("startup")) {
    console.log(`\n## start-up through ${exe}, ${STARTUP_ROUNDS} interleaved rounds\n`);
    if (!existsSync(exe)) console.log(`skipped: ${exe} is missing (bun scripts/build.ts)`);
    else {
      const first: Record<"ebpf" | "none", number[]> = { ebpf: [], none: [] };
      const whole: Record<"ebpf" | "none", number[]> = { ebpf: [], none: [] };
      const wholeCpu: Record<"ebpf" | "none", number[]> = { ebpf: [], none: [] };
      const order = (round: number): Array<"ebpf" | "none"> => (round % 2 === 0 ? ["ebpf", "none"] : ["none", "ebpf"]);
      const runArgv = (capture: string, name: string, workload: readonly string[]) => [
        exe,
        "run",
        "--quiet",
        "--capture",
        capture,
        "--redaction-key",
        "ephemeral",
        "-o",
        join(dir, `${name}.tar.gz`),
        "--",
        ...workload,
      ];
      for (let round = 0; round < STARTUP_ROUNDS; round += 1) {
        // each on a quiet host: a run's engine detaches in the background for about a second
        // after it ends, and holds the kernel's trace-event lock meanwhile (figure below)
        for (const capture of order(round)) {
          await quietHost(10_000);
          first[capture].push(await firstInstructionMs(runArgv(capture, `first-${capture}-${round}`, [programs.now])));
        }
        for (const capture of order(round)) {
          await quietHost(10_000);
          const measured = await processTimes(runArgv(capture, `true-${capture}-${round}`, ["/bin/true"]));
          whole[capture].push(measured.wallMs);
          wholeCpu[capture].push(measured.cpuMs);
        }
      }
      // back to back: the second run arms while the first one's programs are still detaching
      const backToBack: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        await quietHost(10_000);
        await processTimes(runArgv("ebpf", `lead-${round}`, ["/bin/true"]));
        backToBack.push(await firstInstructionMs(runArgv("ebpf", `follow-${round}`, [programs.now])));
      }
      const firstEbpf = median(first.ebpf);
      console.log(
        `run start → first instruction, --capture ebpf: ${firstEbpf.toFixed(0)} ms median [${range(first.ebpf, 0)}] — goal ≤ 50 ms: ${firstEbpf <= 50 ? "met" : "NOT met"}`,
      );
      console.log(`run start → first instruction, --capture none: ${median(first.none).toFixed(0)} ms median [${range(first.none, 0)}]`);
      console.log(
        `run start → first instruction, --capture ebpf, right after another eBPF run ended: ${median(backToBack).toFixed(0)} ms median [${range(backToBack, 0)}] (reported)`,
      );
      spread(
        first.ebpf.map((ms, i) => ms - (first.none[i] ?? Number.NaN)),
        50,
        "first instruction, ebpf minus none, same round",
        "ms",
        0,
      );
      console.log(
        `run -- /bin/true, --capture ebpf: ${median(whole.ebpf).toFixed(0)} ms median [${range(whole.ebpf, 0)}]; --capture none: ${median(whole.none).toFixed(0)} ms median [${range(whole.none, 0)}]`,
      );
      spread(
        whole.ebpf.map((ms, i) => ms - (whole.none[i] ?? Number.NaN)),
        50,
        "run -- /bin/true, ebpf minus none, same round",
        "ms",
        0,
      );
      console.log(
        `run -- /bin/true, runner CPU (user+sys): --capture ebpf ${median(wholeCpu.ebpf).toFixed(0)} ms median [${range(wholeCpu.ebpf, 0)}]; --capture none ${median(wholeCpu.none).toFixed(0)} ms median [${range(wholeCpu.none, 0)}]`,
      );
      spread(
        wholeCpu.ebpf.map((ms, i) => ms - (wholeCpu.none[i] ?? Number.NaN)),
        undefined,
        "run -- /bin/true, runner CPU, ebpf minus none, same round",
        "ms",
        0,
      );
    }
  }

  // 6. ptrace: raw strace with the same syscall filter against the runner's strace command, and
  // compileall under ptrace; mitata summaries as before, the goal ratio from interleaved rounds.
  if (wanted("ptrace")) {
    console.log(`\n## ptrace\n`);
    if (strace === undefined || compileArgv === undefined) console.log("skipped (needs strace and python3)");
    else {
      const selfTimes = new Map<string, number[]>();
      const timed = (name: string, argv: string[], parse: (stdout: string, wallS: number) => number) => () => {
        const started = performance.now();
        const proc = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
        const wall = (performance.now() - started) / 1000;
        if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}`);
        selfTimes.set(name, [...(selfTimes.get(name) ?? []), parse(proc.stdout.toString(), wall)]);
      };
      const loopSeconds = (stdout: string) => Number.parseFloat(stdout.trim().split("\n").pop() ?? "NaN");
      const wallSeconds = (_stdout: string, wall: number) => wall;
      const rawStrace = (argv: string[]) => [
        strace,
        "-f",
        "--seccomp-bpf",
        "-qq",
        "-e",
        "trace=openat,openat2,open,creat,connect,sendto,sendmsg,execve,execveat,clone,clone3,fork,vfork",
        "-o",
        join(dir, "raw.out"),
        "--",
        ...argv,
      ];
      // Every traced open is a ptrace stop (hundreds of µs on this VM), so the ptrace loops are shorter.
      const ptraceLoop = [programs.loop, String(PTRACE_OPENS)];
      summary(() => {
        bench("reference: open loop bare", timed("open bare", loop(OPENS), loopSeconds)).baseline();
        bench("reference: compileall bare", timed("build bare", inSession(compileArgv), wallSeconds));
      });
      await run({ format: "quiet" });
      summary(() => {
        bench("reference: open loop under raw strace --seccomp-bpf", timed("open strace", rawStrace(ptraceLoop), loopSeconds)).baseline();
        bench("engine: open loop under the ptrace backend", timed("open ptrace", straceCommand(strace, join(dir, "ours.out"), ptraceLoop), loopSeconds));
        bench("engine: compileall under the ptrace backend", timed("build ptrace", straceCommand(strace, join(dir, "ours.out"), compileArgv), wallSeconds));
      });
      await run({ format: "quiet" });
      const ptraceRounds: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        const raw = (await loopTime(rawStrace(ptraceLoop))).wall;
        ptraceRounds.push((await loopTime(straceCommand(strace, join(dir, "ours.out"), ptraceLoop))).wall / raw);
      }
      const med = (name: string) => median(selfTimes.get(name) ?? []);
      spread(ptraceRounds, 1.1, `open loop (${PTRACE_OPENS} opens), ptrace backend vs raw strace --seccomp-bpf`);
      console.log(`open loop, raw strace vs bare: ${(med("open strace") / PTRACE_OPENS / (med("open bare") / OPENS)).toFixed(1)}× per open (reported)`);
      console.log(
        `compileall, ptrace vs bare: ${med("build ptrace").toFixed(3)} s vs ${med("build bare").toFixed(3)} s = ${(med("build ptrace") / med("build bare")).toFixed(2)}× (mitata medians, reported)`,
      );
    }
  }
} finally {
  rmdirSync(session);
  rmSync(dir, { recursive: true, force: true });
}

// --- internal ---

async function armOn(cgroup: string): Promise<ArmedCapture> {
  const scratch = mkdtempSync(join(dir, "scratch-"));
  return createEbpfBackend().arm({ cgroupPath: cgroup, cgroupId: statSync(cgroup, { bigint: true }).ino, scratchDir: scratch });
}

/**
 * The mechanism floor: every tracepoint the engine attaches (raw and sched), in its order, carrying
 * a program that returns at once (its two cgroup packet programs run for the session's packets
 * only: left out). Disposing detaches and unloads them.
 */
function attachEmptyPrograms(tracefsPath: string): Disposable {
  const programs: BpfProgram[] = [];
  const links: Array<TracepointLink | RawTracepointLink> = [];
  const release = () => {
    for (const link of links.splice(0)) link.close();
    for (const program of programs.splice(0)) program.close();
  };
  try {
    for (const attachment of ATTACHMENTS) {
      const name = `${FLOOR_PREFIX}${attachment.short}`;
      const instructions = [mov(R0, 0), exit()];
      const program = BpfProgram.load(
        attachment.kind === "raw"
          ? { name, ...rawTracepointTarget(attachment.tracepoint), instructions }
          : { name, type: ProgramType.TRACEPOINT, instructions },
        new Map(),
      );
      programs.push(program);
      links.push(
        attachment.kind === "raw"
          ? RawTracepointLink.attach(program, attachment.tracepoint)
          : TracepointLink.attach(program, readTracepointFormat(tracefsPath, attachment.category, attachment.tracepoint)),
      );
    }
  } catch (error) {
    release();
    throw error;
  }
  return { [Symbol.dispose]: release };
}

/** Waits until no program named `prefix…` is loaded; returns how long that took, in ms. */
async function detached(prefix: string): Promise<number> {
  const started = performance.now();
  while (loadedPrograms().some((info) => info.name.startsWith(prefix))) {
    if (performance.now() - started > 30_000) throw new Error(`programs named ${prefix}… still loaded after 30 s`);
    await Bun.sleep(10);
  }
  return performance.now() - started;
}

/** Runs `measure` with kernel.bpf_stats_enabled on, restoring the previous value; undefined when it cannot be set. */
async function withBpfStats<T>(measure: () => Promise<T>): Promise<T | undefined> {
  const sysctl = "/proc/sys/kernel/bpf_stats_enabled";
  let previous: string;
  try {
    previous = readFileSync(sysctl, "utf8").trim();
    writeFileSync(sysctl, "1");
  } catch {
    return undefined;
  }
  try {
    return await measure();
  } finally {
    writeFileSync(sysctl, previous);
  }
}

/** run_time_ns and run_cnt of this process's programs named `prefix…`, from /proc/self/fdinfo. */
function programStats(prefix: string): Map<string, { ns: number; runs: number }> {
  const names = new Map(
    loadedPrograms()
      .filter((info) => info.name.startsWith(prefix))
      .map((info) => [info.id, info.name.slice(prefix.length)]),
  );
  const stats = new Map<string, { ns: number; runs: number }>();
  for (const fd of readdirSync("/proc/self/fdinfo")) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
    } catch {
      continue;
    }
    const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
    const name = names.get(field("prog_id"));
    // a raw tracepoint link's fdinfo names its program too, without the counts
    if (name !== undefined && text.includes("run_time_ns")) stats.set(name, { ns: field("run_time_ns"), runs: field("run_cnt") });
  }
  return stats;
}

/** Capture programs of other assay-runner engines loaded right now (a<pid>_<attachment>, not ours). */
function foreignEngines(): number {
  return loadedPrograms().filter((info) => {
    const short = /^a\d+_(.+)$/.exec(info.name)?.[1];
    return (
      short !== undefined && !info.name.startsWith(ENGINE_PREFIX) && [...ATTACHMENTS, ...SYSCALL_HANDLERS].some((program) => program.short.startsWith(short))
    );
  }).length;
}

/** Waits (up to `ms`) until no other engine is loaded; returns how many programs were still there. */
async function quietHost(ms: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const count = foreignEngines();
    if (count === 0 || performance.now() - started > ms) return count;
    await Bun.sleep(100);
  }
}

/** The engine's programs as the kernel reports them (found by their name prefix while armed). */
function describePrograms(prefix: string): string {
  const mine = loadedPrograms().filter((info) => info.name.startsWith(prefix));
  const total = mine.reduce((sum, info) => sum + info.verifiedInstructions, 0);
  const rows = mine.map((info) => `${info.name.slice(prefix.length)} ${info.verifiedInstructions}`).join(", ");
  return `verified instructions per program (programInfo): ${rows}; total ${total} over ${mine.length} programs`;
}

function lossLine(outcome: CaptureOutcome): string {
  const unobserved = Object.entries(outcome.loss.unobserved ?? {}).map(([reason, n]) => `${reason} ${n}`);
  return `ring drops ${outcome.loss.ringbufDrops}, undecodable ${outcome.loss.eventSizeMismatch}${unobserved.length > 0 ? `, unobserved: ${unobserved.join(", ")}` : ""}`;
}

/** One run of the open loop (spawned asynchronously): its own wall and CPU seconds. */
async function loopTime(argv: readonly string[]): Promise<LoopTime> {
  const proc = Bun.spawn([...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr}`);
  const [wall, cpu] = (stdout.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
}

/** The run with the median wall time of three; waits (a while) for other engines to go, and notes those that stay. */
async function medianLoop(argv: readonly string[]): Promise<LoopTime> {
  const runs: LoopTime[] = [];
  for (let i = 0; i < 3; i += 1) {
    foreignSeen = Math.max(foreignSeen, await quietHost(5_000));
    runs.push(await loopTime(argv));
  }
  foreignSeen = Math.max(foreignSeen, foreignEngines());
  return runs.sort((a, b) => a.wall - b.wall)[1] as LoopTime;
}

/** Wall seconds of a whole process, spawned asynchronously; a failure throws with its stderr. */
async function wallOf(argv: readonly string[]): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn([...argv], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr}`);
  return seconds;
}

/** Wall and CPU (user+sys, the process and the children it waited for) ms of a whole process. */
async function processTimes(argv: readonly string[]): Promise<{ wallMs: number; cpuMs: number }> {
  const started = performance.now();
  const proc = Bun.spawn([...argv], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr}`);
  return { wallMs, cpuMs: Number(proc.resourceUsage()?.cpuTime.total ?? Number.NaN) / 1000 };
}

/** ms from just before spawning `argv` to the CLOCK_REALTIME its workload printed first thing. */
async function firstInstructionMs(argv: readonly string[]): Promise<number> {
  const startedNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const proc = Bun.spawn([...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr}`);
  return Number(BigInt(stdout.trim()) - startedNs) / 1e6;
}

/**
 * Builds the binary of `rev` from `git archive` in a temporary directory, with this checkout's
 * node_modules (so the same bun compiles both; each of its dependencies must be here at the same
 * version, while packages it does not import do not enter its bundle), and returns its size.
 */
function buildBaseBinary(rev: string): { size?: number; why?: string } {
  const git = findExecutable("git");
  if (git === undefined) return { why: "git is missing" };
  const where = mkdtempSync(join(tmpdir(), "assay-bench-base-"));
  try {
    const extract = Bun.spawnSync(["/bin/sh", "-c", `"$0" -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, git, root, rev, where], {
      stdout: "ignore",
      stderr: "pipe",
    });
    if (extract.exitCode !== 0) return { why: `git archive ${rev}: ${extract.stderr.toString().trim()}` };
    const missing = missingDependencies(join(where, "package.json"), join(root, "package.json"));
    if (missing.length > 0) return { why: `this checkout's node_modules lacks its ${missing.join(", ")}` };
    symlinkSync(join(root, "node_modules"), join(where, "node_modules"));
    const build = Bun.spawnSync([process.execPath, join(where, "scripts", "build.ts"), "--force"], { cwd: where, stdout: "ignore", stderr: "pipe" });
    const outfile = join(where, "dist", "assay-runner");
    if (build.exitCode !== 0 || !existsSync(outfile)) return { why: `build failed: ${build.stderr.toString().trim()}` };
    return { size: statSync(outfile).size };
  } finally {
    rmSync(where, { recursive: true, force: true });
  }
}

/**
 * What the engine adds to a binary: one compiled from an entry importing the engine's two modules
 * and the Node.js builtins they use, against one importing only those builtins (same flags).
 */
async function engineShare(): Promise<{ bytes?: number; builtins: string[]; why?: string }> {
  const modules = [join(root, "src", "bpf", "index.ts"), join(root, "src", "capture", "ebpf", "index.ts")];
  // the builtins the engine imports, whichever of its files imports them: a bundle keeps those imports
  const bundle = await Bun.build({ entrypoints: modules, target: "bun" });
  const texts = await Promise.all(bundle.outputs.map((output) => output.text()));
  const specifiers = texts.flatMap((text) => [...text.matchAll(/\bfrom\s*"([^".][^"]*)"/g)].map((match) => match[1] as string));
  // bun:ffi is left with the engine: nothing else of the binary's capture imports it
  const builtins = [...new Set(specifiers.filter((name) => !name.startsWith("bun:")).map((name) => (name.startsWith("node:") ? name : `node:${name}`)))].sort();
  // the entries sit in the checkout, so packages resolve from its node_modules
  const where = mkdtempSync(join(root, ".bench-size-"));
  try {
    const sizes: number[] = [];
    for (const [name, imports] of [
      ["builtins", builtins],
      ["engine", [...builtins, ...modules]],
    ] as const) {
      const entry = join(where, `${name}.ts`);
      writeFileSync(
        entry,
        `${imports.map((path, i) => `import * as m${i} from ${JSON.stringify(path)};`).join("\n")}\nif (process.argv.length > 99) console.log(${imports.map((_, i) => `m${i}`).join(", ")});\n`,
      );
      const outfile = join(where, name);
      const build = Bun.spawnSync([process.execPath, "build", ...COMPILE_FLAGS, entry, "--outfile", outfile], { cwd: root, stdout: "ignore", stderr: "pipe" });
      if (build.exitCode !== 0 || !existsSync(outfile)) return { builtins, why: `bun build ${name}: ${build.stderr.toString().trim()}` };
      sizes.push(statSync(outfile).size);
    }
    return { bytes: (sizes[1] as number) - (sizes[0] as number), builtins };
  } finally {
    rmSync(where, { recursive: true, force: true });
  }
}

/** Dependencies (name@version) of one package.json that another does not declare at the same version. */
function missingDependencies(basePackage: string, ourPackage: string): string[] {
  const read = (path: string): Record<string, string> => {
    const json = JSON.parse(readFileSync(path, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    return { ...json.dependencies, ...json.devDependencies };
  };
  const ours = read(ourPackage);
  return Object.entries(read(basePackage))
    .filter(([name, version]) => ours[name] !== version)
    .map(([name, version]) => `${name}@${version}`);
}

/** The open loop (prints its own wall and CPU seconds) and a program printing CLOCK_REALTIME in ns. */
function buildPrograms(where: string, compiler: string): { loop: string; now: string } {
  const target = join(where, "hosts-copy");
  writeFileSync(target, "x\n");
  const sources = {
    loop: `#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]); int distinct = argc > 2; char path[64];
  struct timespec a, b, ca, cb; clock_gettime(CLOCK_MONOTONIC, &a); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
  for (int i = 0; i < n; i++) {
    if (distinct) snprintf(path, sizeof path, "${DISTINCT_PREFIX}%d", i);
    int fd = open(distinct ? path : "${target}", O_RDONLY); if (fd >= 0) close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &b); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
  printf("%.6f %.6f\\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, (cb.tv_sec - ca.tv_sec) + (cb.tv_nsec - ca.tv_nsec) / 1e9); return 0; }
`,
    now: `#include <stdio.h>
#include <time.h>
int main(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); printf("%lld\\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec); return 0; }
`,
  };
  const built = { loop: join(where, "loop"), now: join(where, "now") };
  for (const name of ["loop", "now"] as const) {
    const source = join(where, `${name}.c`);
    writeFileSync(source, sources[name]);
    const result = Bun.spawnSync([compiler, "-O2", "-o", built[name], source], { stdout: "ignore", stderr: "pipe" });
    if (result.exitCode !== 0) throw new Error(`${compiler} ${source}: ${result.stderr.toString()}`);
  }
  return built;
}

/** A tree of small Python modules, seeded, to byte-compile. */
function buildPythonTree(where: string, files: number): { path: string; files: number } {
  for (let i = 0; i < files; i += 1) {
    const sub = join(where, `pkg${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `mod${i}.py`), `def f${i}(x):\n    return [x * k for k in range(${i % 50})]\n\nclass C${i}:\n    value = ${i}\n`);
  }
  return { path: where, files };
}

function spread(values: readonly number[], goal: number | undefined, label: string, unit = "×", digits = 2): void {
  const mid = median(values);
  const verdict =
    goal === undefined
      ? "(reported)"
      : mid <= goal
        ? `goal ≤ ${goal}${unit === "×" ? "×" : ` ${unit}`}: met`
        : `goal ≤ ${goal}${unit === "×" ? "×" : ` ${unit}`}: NOT met`;
  console.log(`${label}: ${mid.toFixed(digits)}${unit === "×" ? "×" : ` ${unit}`} median of ${values.length} [${range(values, digits)}] ${verdict}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : mean(sorted[mid - 1] as number, sorted[mid] as number);
}

function range(values: readonly number[], digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[0]?.toFixed(digits)}–${sorted.at(-1)?.toFixed(digits)}`;
}

function mean(a: number, b: number): number {
  return (a + b) / 2;
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
}

function kps(rate: number): string {
  return `${(rate / 1000).toFixed(0)}k events/s`;
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? "?" : `${ms.toFixed(1)} ms`;
}
