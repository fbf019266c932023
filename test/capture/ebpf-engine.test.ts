import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readlinkSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { BpfError, loadedPrograms } from "../../src/bpf/index.ts";
import { CaptureEngine, possibleCpus, RecordStore } from "../../src/capture/ebpf/engine.ts";
import { ensureTracefs, readHostFacts } from "../../src/linux/index.ts";
import { host, skipReason } from "../harness.ts";

describe("RecordStore", () => {
  test("gives back every record in order, across chunk boundaries and for records larger than a chunk", () => {
    const store = new RecordStore();
    const records = [new Uint8Array([1]), new Uint8Array(700_000).fill(2), new Uint8Array(700_000).fill(3), new Uint8Array(3 << 20).fill(4), new Uint8Array([5, 5])];
    for (const record of records) store.add(record);
    const back = [...store.records()].map((record) => [record.length, record[0], record[record.length - 1]]);
    expect({ count: store.count, back }).toEqual({ count: 5, back: records.map((record) => [record.length, record[0], record[record.length - 1]]) });
  });
});

describe("possibleCpus", () => {
  test("counts ranges and single CPUs of /sys/devices/system/cpu/possible", () => {
    expect(["0-1\n", "0\n", "0-3,8-11\n", "0,2,4-5\n"].map((text) => possibleCpus(text))).toEqual([2, 1, 8, 4]);
  });
});

/** Open fds of this process that are BPF maps, programs, links or perf events. */
function bpfFds(): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return /bpf|perf_event/.test(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

const cannot = skipReason(!host.hasCgroup2 || !host.canLoadBpf, "capture engine kernel tests need root and cgroup v2");

describe("CaptureEngine", () => {
  test.skipIf(cannot)("a start the kernel refuses throws the failed step and leaves no BPF fd, map or program behind", () => {
    const tracefs = ensureTracefs(readHostFacts()) ?? "/sys/kernel/tracing";
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-engine-test-${process.pid}`);
    mkdirSync(cgroup);
    const before = bpfFds();
    let caught: unknown;
    try {
      CaptureEngine.start({ tracefs, cgroupPath: cgroup, ringBytes: 12345, drainEveryMs: 10, namePrefix: `e${process.pid}` });
    } catch (error) {
      caught = error;
    } finally {
      rmdirSync(cgroup);
    }
    expect({
      step: caught instanceof BpfError ? caught.step : String(caught),
      fds: bpfFds() - before,
      programs: loadedPrograms().filter((program) => program.name.startsWith(`e${process.pid}_`)),
    }).toEqual({ step: `BPF_MAP_CREATE e${process.pid}_events`, fds: 0, programs: [] });
  });

  test.skipIf(cannot)("a started engine attaches every tracepoint this kernel has, and close releases every BPF and perf fd", async () => {
    const tracefs = ensureTracefs(readHostFacts()) ?? "/sys/kernel/tracing";
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-engine-test-${process.pid}`);
    mkdirSync(cgroup);
    const before = bpfFds();
    try {
      const engine = CaptureEngine.start({ tracefs, cgroupPath: cgroup, ringBytes: 1 << 16, drainEveryMs: 10, namePrefix: `e${process.pid}` });
      const attached = engine.attached;
      const names = loadedPrograms().filter((program) => program.name.startsWith(`e${process.pid}_`)).length;
      await engine.stop(100);
      engine.close();
      engine.close();
      // 17 tracepoints (13 on arm64, which has no open or creat) and the two DNS packet hooks
      const expected = process.arch === "x64" ? 19 : 15;
      expect({ attached, names, fds: bpfFds() - before }).toEqual({ attached: expected, names: expected, fds: 0 });
    } finally {
      rmdirSync(cgroup);
    }
  });
});
