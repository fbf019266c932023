// The native eBPF backend armed directly on a cgroup made here (as root): loss is reported,
// never hidden.
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createEbpfBackend, deriveKernelHealth, normalizeKernelRecords, type EbpfOptions } from "../../src/capture/index.ts";
import { host, skipReason, tempDir } from "../harness.ts";

const ebpfProbe = await createEbpfBackend().probe();
const cannot = skipReason(!host.hasCgroup2 || !ebpfProbe.available, `eBPF backend tests need root, cgroup v2 and the bpf() syscall (${ebpfProbe.reason})`);

/** Runs `script` with sh inside a fresh cgroup under an armed eBPF capture; returns what the run would write. */
async function captureInCgroup(script: string, options: Required<EbpfOptions>) {
  using scratch = tempDir("ebpf-scratch");
  const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-capture-test-${process.pid}-${options.ringBytes}`);
  mkdirSync(cgroup);
  try {
    await using armed = await createEbpfBackend(options).arm({
      cgroupPath: cgroup,
      cgroupId: statSync(cgroup, { bigint: true }).ino,
      scratchDir: scratch.path,
    });
    await using child = Bun.spawn(["/bin/sh", "-c", 'echo $$ > "$0" && exec /bin/sh -c "$1"', join(cgroup, "cgroup.procs"), script], {
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exitCode = await child.exited;
    const outcome = await armed.stop(2000);
    const summary = await normalizeKernelRecords(outcome.records, "run_flood", () => {});
    return { exitCode, loss: outcome.loss, health: deriveKernelHealth({ loss: outcome.loss, summary, cgroupCorrelation: "clean", backend: armed.version }) };
  } finally {
    rmdirSync(cgroup);
  }
}

describe("eBPF backend loss accounting", () => {
  test.skipIf(cannot)("a flood of distinct opens into a one-page buffer not drained meanwhile reports drops and partial_ringbuf_drops", async () => {
    // no drain until the workload ends, so the page overflows however slow the host (an emulated
    // arm64 VM opened too slowly to outpace the 10 ms drains)
    const flood = 'i=0; while [ "$i" -lt 2000 ]; do true 2>/dev/null < "/nonexistent-assay-flood/$i"; i=$((i+1)); done; exit 0';
    const { exitCode, loss, health } = await captureInCgroup(flood, { ringBytes: 4096, drainEveryMs: 600_000 });
    expect({
      exitCode,
      dropsReported: loss.ringbufDrops > 0,
      openatDrops: loss.hooks.openat.dropped > 0,
      layer: health.kernel_layer,
      drops: health.ringbuf_drops === loss.ringbufDrops,
      breakdown: health.note.includes(" drop_breakdown=tracepoint:"),
    }).toEqual({ exitCode: 0, dropsReported: true, openatDrops: true, layer: "partial_ringbuf_drops", drops: true, breakdown: true });
  });
});
