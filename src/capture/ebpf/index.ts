import { release } from "node:os";
import { BpfError, BpfMap, hasLibc, MapType, pageSize } from "../../bpf/index.ts";
import { ensureTracefs, mayLoadBpf, readHostFacts, type HostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import { recordStream } from "../record-stream.ts";
import type { ArmedCapture, CaptureBackend, CaptureOutcome, CaptureProbe, CaptureTarget, KernelRecord } from "../types.ts";
import { NativeDecoder } from "./decode.ts";
import { CaptureEngine, type RecordStore } from "./engine.ts";
import { captureLoss } from "./loss.ts";
import { Counter, DEFAULT_RING_BYTES, DNS_HOOK } from "./record-layout.ts";

/** Tuning of the eBPF backend (tests shrink the buffer to provoke loss). */
export interface EbpfOptions {
  /** Ring buffer bytes: a power of two, at least one page (default 16 MiB). */
  readonly ringBytes?: number;
  /** How often the runner drains the ring buffer while the workload runs, in ms (default 10). */
  readonly drainEveryMs?: number;
}

/** Creates the eBPF backend: programs built, loaded and read by this binary, filtered in the kernel to the session. */
export function createEbpfBackend(options: EbpfOptions = {}): CaptureBackend {
  return {
    name: "ebpf",
    probe: async () => probeEbpf(readHostFacts()),
    arm: async (target) => {
      if (target === undefined) throw new CaptureHostError("CAPTURE_TARGET_MISSING", "eBPF capture needs a cgroup v2 session");
      return armEbpf(target, readHostFacts(), options);
    },
  };
}

/** The eBPF backend with default tuning. */
export const ebpfBackend: CaptureBackend = createEbpfBackend();

/** What the native engine is called in notes and `doctor`, with the kernel it runs on. */
export function nativeEngineVersion(): string {
  return `native eBPF engine (kernel ${release()})`;
}

// --- internal ---

function probeEbpf(facts: HostFacts): CaptureProbe {
  const version = nativeEngineVersion();
  const unavailable = (reason: string): CaptureProbe => ({ backend: "ebpf", available: false, reason, version });
  if (!facts.isLinux) return unavailable("eBPF capture needs Linux");
  if (!hasLibc()) return unavailable(`libc is not reachable through bun:ffi on ${process.platform}/${process.arch} (x64 and arm64 Linux are supported)`);
  if (!mayLoadBpf(facts)) return unavailable("loading BPF needs root or CAP_BPF+CAP_PERFMON");
  if (facts.cgroup2Mount === undefined) return unavailable("no cgroup v2 hierarchy is mounted");
  if (facts.tracefs === undefined && !facts.isRoot) return unavailable("tracefs is not mounted at /sys/kernel/tracing");
  // the programs keep per-thread state in task storage, whose helpers need the kernel's own BTF
  if (!facts.btf) return unavailable("the kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)");
  const ring = ringBufferCheck();
  if (ring !== undefined) return unavailable(ring);
  return { backend: "ebpf", available: true, reason: "the bpf() syscall and ring buffers work here", version };
}

// Creating (and closing) a one-page ring buffer proves bpf() is allowed and ring buffers exist (Linux ≥ 5.8).
function ringBufferCheck(): string | undefined {
  try {
    BpfMap.create({ name: "assay_probe", type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: pageSize() }).close();
    return undefined;
  } catch (error) {
    const why = error instanceof BpfError ? error.message : String(error);
    return `the kernel refused a BPF ring buffer (needs Linux ≥ 5.8 and an allowed bpf() syscall): ${why}`;
  }
}

async function armEbpf(target: CaptureTarget, facts: HostFacts, options: EbpfOptions): Promise<ArmedCapture> {
  const started = performance.now();
  const tracefs = ensureTracefs(facts);
  if (tracefs === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", "tracefs is not mounted at /sys/kernel/tracing and could not be mounted");
  let engine: CaptureEngine;
  try {
    engine = await CaptureEngine.start({
      tracefs,
      cgroupPath: target.cgroupPath,
      ringBytes: options.ringBytes ?? ringBytesFromEnvironment() ?? DEFAULT_RING_BYTES,
      drainEveryMs: options.drainEveryMs ?? 10,
      namePrefix: `a${process.pid}`,
    });
  } catch (error) {
    if (!(error instanceof BpfError)) throw error;
    throw new CaptureHostError("CAPTURE_ATTACH_FAILED", `eBPF could not be armed: ${error.message}`, { cause: error });
  }
  const attachMs = performance.now() - started;
  let stopped: CaptureOutcome | undefined;
  return {
    backend: "ebpf",
    version: nativeEngineVersion(),
    attachMs,
    helpers: [],
    command: (argv) => argv,
    stop: async (drainMs) => {
      if (stopped) return stopped;
      const kernel = await engine.stop(Math.max(drainMs, 1000));
      const decoder = new NativeDecoder();
      const records = [...decodeAll(engine.store, decoder)];
      const dns = { packets: decoder.dnsPackets(), dropped: kernel.counters[Counter.dropped(DNS_HOOK)] ?? 0 };
      stopped = {
        records: recordStream(records),
        loss: captureLoss(kernel.counters, decoder.finish(), kernel.recursionMisses, target.runnerJoins === true),
        streamComplete: true,
        dns,
      };
      engine.close();
      return stopped;
    },
    [Symbol.asyncDispose]: async () => engine.close(),
  };
}

// ASSAY_EBPF_RING_BYTES tunes the ring buffer (README: capture); the kernel checks it (a power of two, page-aligned).
function ringBytesFromEnvironment(): number | undefined {
  const text = process.env.ASSAY_EBPF_RING_BYTES;
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new CaptureHostError("CAPTURE_UNAVAILABLE", `ASSAY_EBPF_RING_BYTES must be a positive integer, received ${JSON.stringify(text)}`);
  return value;
}

function* decodeAll(store: RecordStore, decoder: NativeDecoder): Generator<KernelRecord> {
  for (const bytes of store.records()) yield* decoder.push(bytes);
}
