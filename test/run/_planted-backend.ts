// A kernel backend that reports records given by the test, so a whole run can be checked against
// exactly what its capture "saw".
import { noLoss, recordStream, type CaptureBackend, type KernelRecord } from "../../src/capture/index.ts";
import type { RunIo } from "../../src/run/index.ts";

export function plantedBackend(records: readonly KernelRecord[]): CaptureBackend {
  return {
    name: "ebpf",
    probe: async () => ({ backend: "ebpf", available: true, reason: "planted records", version: "planted" }),
    arm: async () => ({
      backend: "ebpf",
      version: "ebpf planted",
      helpers: [],
      command: (argv) => argv,
      stop: async () => ({
        records: recordStream(records),
        loss: noLoss,
        streamComplete: true,
      }),
      [Symbol.asyncDispose]: async () => {},
    }),
  };
}

/** What executeRun needs to run on this host with the planted backend; `extra` adds to it. */
export function plantedRunIo(records: readonly KernelRecord[], extra: Partial<RunIo> = {}): RunIo {
  return {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    platform: "linux",
    interrupted: new Promise(() => {}),
    chooseBackend: async () => {
      const backend = plantedBackend(records);
      return { ok: true, backend, probe: await backend.probe(), tried: [], rest: [] };
    },
    ...extra,
  };
}
