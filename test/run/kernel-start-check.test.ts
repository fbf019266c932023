// A capture that holds no exec at all missed the session (the workload's own start is always an
// exec): the kernel layer then says what it did not see and is never complete.
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import type { KernelRecord } from "../../src/capture/index.ts";
import { buildRunSpec, executeRun, RunOptionsSchema } from "../../src/run/index.ts";
import { openArchive } from "./_archive.ts";
import { host, skipReason, tempDir } from "../harness.ts";
import { plantedRunIo } from "./_planted-backend.ts";

const noSession = skipReason(!host.hasCgroup2, "whole runs in a session need root and a writable cgroup v2 mount");

async function runWith(records: readonly KernelRecord[]) {
  using dir = tempDir("start-check");
  const built = buildRunSpec(
    v.parse(RunOptionsSchema, { command: ["/bin/true"], capture: "auto", output: `${dir.path}/a.tar.gz`, "redaction-key": "ephemeral", "run-id": "run_start" }),
    () => "run_start",
  );
  if (!built.ok) throw new Error(built.message);
  const result = await executeRun(built.spec, plantedRunIo(records));
  const health = (await openArchive(result.archivePath)).json("observation-health.json");
  return { exitCode: result.exitCode, kernel: health.kernel_layer, backendNote: health.notes.find((note: string) => note.startsWith("capture_backend:")) };
}

describe("the workload's start in the kernel layer", () => {
  test.skipIf(noSession)("opens but no exec: partial, named unobserved; with the exec: complete", async () => {
    const open: KernelRecord = { pid: 10, eventType: 1, value: "/work/out.txt", flags: 0o1101, mode: 0o644, returnValue: 3 };
    const exec: KernelRecord = { pid: 10, eventType: 4, value: "/bin/true", argv: ["/bin/true"] };
    expect([await runWith([open]), await runWith([exec, open])]).toEqual([
      { exitCode: 0, kernel: "partial_ringbuf_drops", backendNote: "capture_backend: ebpf planted unobserved=workload_exec:1" },
      { exitCode: 0, kernel: "complete", backendNote: "capture_backend: ebpf planted" },
    ]);
  });
});
