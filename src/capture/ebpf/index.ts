import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTracefs, mayLoadBpf, readHostFacts, type HostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import { countAppended, readLines } from "../read-lines.ts";
import type { ArmedCapture, CaptureBackend, CaptureOutcome, CaptureProbe, CaptureTarget, KernelRecord } from "../types.ts";
import { BpftraceLossCounter, decodeBpftraceLine } from "./decode.ts";
import { bpftraceProgram, STRLEN, syscallNumbers } from "./program.ts";

/** Tuning of the eBPF backend (tests shrink the buffer to provoke loss). */
export interface EbpfOptions {
  /** Perf buffer pages per CPU (a power of two; bpftrace's default is 64). */
  readonly perfPages?: number;
  /** Entries per bpftrace map (dedupe keys, tracked processes). */
  readonly mapKeys?: number;
  /** Longest wait for the probes to attach, in ms. */
  readonly attachTimeoutMs?: number;
}

/** Creates the eBPF backend: a per-run bpftrace program filtered in the kernel to the session. */
export function createEbpfBackend(options: EbpfOptions = {}): CaptureBackend {
  // The probe's host facts serve the arm that follows it: reading them spawns `bpftrace --version`
  // (~40 ms of loading LLVM), which is on the path to the workload's start.
  let probed: HostFacts | undefined;
  return {
    name: "ebpf",
    probe: async () => {
      probed = readHostFacts();
      return probeEbpf(probed);
    },
    arm: async (target) => {
      if (target === undefined) throw new CaptureHostError("CAPTURE_TARGET_MISSING", "eBPF capture needs a cgroup v2 session");
      const facts = probed ?? readHostFacts();
      probed = undefined;
      return armEbpf(target, facts, options);
    },
  };
}

/** The eBPF backend with default tuning. */
export const ebpfBackend: CaptureBackend = createEbpfBackend();

// --- internal ---

// The marker lines of this runner: `kill(pid, 0)` once the probes are live, `kill(-pid, 0)` (a
// harmless probe of a process group) when draining, so a late "attached" marker is never taken
// for the "drained" one.
// bpftrace prints the masked 32-bit pid of kill(-pid, 0) either way round, so both spellings count.
const attachedNeedles = [`"data": "M\\t${process.pid}\\n"`];
const drainedNeedles = [`"data": "M\\t-${process.pid}\\n"`, `"data": "M\\t${2 ** 32 - process.pid}\\n"`];

function probeEbpf(facts: HostFacts): CaptureProbe {
  const unavailable = (reason: string): CaptureProbe => ({ backend: "ebpf", available: false, reason, version: facts.bpftraceVersion ?? "" });
  if (!facts.isLinux) return unavailable("eBPF capture needs Linux");
  if (facts.bpftracePath === undefined) return unavailable("bpftrace is not installed (Debian: apt-get install bpftrace)");
  if (!mayLoadBpf(facts)) return unavailable("loading BPF needs root or CAP_BPF+CAP_PERFMON");
  if (facts.cgroup2Mount === undefined) return unavailable("no cgroup v2 hierarchy is mounted");
  if (syscallNumbers(process.arch) === undefined) return unavailable(`no syscall table for ${process.arch} (x64 and arm64 are supported)`);
  if (facts.tracefs === undefined && !facts.isRoot) return unavailable("tracefs is not mounted at /sys/kernel/tracing");
  return { backend: "ebpf", available: true, reason: `bpftrace at ${facts.bpftracePath}`, version: facts.bpftraceVersion ?? "bpftrace" };
}

async function armEbpf(target: CaptureTarget, facts: HostFacts, options: EbpfOptions): Promise<ArmedCapture> {
  const started = performance.now();
  if (facts.bpftracePath === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", "bpftrace is not installed");
  if (ensureTracefs(facts) === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", "tracefs is not mounted at /sys/kernel/tracing and could not be mounted");
  const programPath = join(target.scratchDir, "capture.bt");
  const outPath = join(target.scratchDir, "bpftrace.out");
  const errPath = join(target.scratchDir, "bpftrace.err");
  const syscalls = syscallNumbers(process.arch);
  if (syscalls === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", `no syscall table for ${process.arch}`);
  writeFileSync(programPath, bpftraceProgram({ cgroupId: target.cgroupId, markerPid: process.pid, syscalls }));
  // bpftrace writes straight to files: the runner does no work while the workload runs.
  const child = spawnBpftrace([facts.bpftracePath, "-f", "json", programPath], {
    env: {
      PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      BPFTRACE_STRLEN: String(STRLEN),
      BPFTRACE_MAP_KEYS_MAX: String(options.mapKeys ?? 16384),
      BPFTRACE_PERF_RB_PAGES: String(options.perfPages ?? 1024),
    },
    stdin: "ignore",
    stdout: Bun.file(outPath),
    stderr: Bun.file(errPath),
  });
  let offset = 0;
  const waitForMarker = async (target: number, timeoutMs: number): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    const needles = target > 0 ? attachedNeedles : drainedNeedles;
    while (performance.now() < deadline) {
      // kill(±self, 0) fires the marker probe; once its line is in the output, every probe
      // attached before it (all of them) is live and what was emitted before it has been read.
      try {
        process.kill(target, 0);
      } catch {}
      const seen = countAppended(outPath, offset, needles);
      offset = seen.offset;
      if (seen.count > 0) return true;
      if (child.exitCode !== null || child.signalCode !== null) return false;
      await Bun.sleep(10);
    }
    return false;
  };
  // bpftrace prints "attached_probes" before it attaches; only the marker proves the probes are live.
  if (!(await waitForMarker(process.pid, options.attachTimeoutMs ?? 60_000))) {
    child.kill("SIGKILL");
    await child.exited;
    throw new CaptureHostError("CAPTURE_ATTACH_FAILED", `bpftrace did not attach: ${await bpftraceError(errPath)}`);
  }
  const attachMs = performance.now() - started;
  let stopped: CaptureOutcome | undefined;
  return {
    backend: "ebpf",
    version: `ebpf ${facts.bpftraceVersion ?? "bpftrace"}`,
    attachMs,
    helpers: [{ pid: child.pid, comm: "bpftrace" }],
    command: (argv) => argv,
    stop: async (drainMs) => {
      if (stopped) return stopped;
      // A second marker after the workload: what was emitted before it has been read.
      await waitForMarker(-process.pid, Math.max(drainMs, 2000));
      // Ended before we asked it to: it stopped observing the workload (upstream: the stream ended).
      // Read after the marker wait, which also gives Bun time to reap a tracer that just died.
      const endedEarly = child.exitCode !== null || child.signalCode !== null;
      child.kill("SIGINT");
      // bpftrace prints its counters on SIGINT, then detaches (about a second here, more under
      // load); killed earlier, the counters are lost and the layer reads partial.
      // Rarely (seen once in a fresh clone's first run) bpftrace outlives its SIGINT; ask again,
      // then end it: the counters are lost then and the layer honestly reads partial.
      const timers = [
        setTimeout(() => child.kill("SIGINT"), 5_000),
        setTimeout(() => child.kill("SIGTERM"), 10_000),
        setTimeout(() => child.kill("SIGKILL"), 15_000),
      ];
      await child.exited;
      for (const timer of timers) clearTimeout(timer);
      const counter = new BpftraceLossCounter();
      for await (const line of readLines(outPath)) counter.add(decodeBpftraceLine(line));
      stopped = { records: records(outPath), loss: counter.loss(), streamComplete: !endedEarly };
      return stopped;
    },
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await child.exited;
      }
    },
  };
}

// A bpftrace that cannot even start (not executable, vanished since the probe) is a host problem
// like a failed attach: `--capture auto` falls back on it, an explicit request exits 40.
function spawnBpftrace(argv: string[], options: Parameters<typeof Bun.spawn>[1]): Bun.Subprocess {
  try {
    return Bun.spawn(argv, options);
  } catch (error) {
    throw new CaptureHostError("CAPTURE_ATTACH_FAILED", `bpftrace could not be started: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function* records(outPath: string): AsyncGenerator<KernelRecord> {
  for await (const line of readLines(outPath)) {
    const decoded = decodeBpftraceLine(line);
    if (decoded.kind === "record") yield decoded.record;
  }
}

async function bpftraceError(errPath: string): Promise<string> {
  const text = await Bun.file(errPath)
    .text()
    .catch(() => "");
  const lines = text.split("\n").filter((line) => line.trim() !== "" && !line.includes("RLIMIT_MEMLOCK"));
  return lines.slice(0, 6).join(" | ") || "no error output";
}
