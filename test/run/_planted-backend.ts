// A kernel backend that reports records given by the test, so a whole run can be checked against
// exactly what its capture "saw".
import { noLoss, type CaptureBackend, type KernelRecord } from "../../src/capture/index.ts";

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
        records: (async function* () {
          yield* records;
        })(),
        loss: noLoss,
        streamComplete: true,
      }),
      [Symbol.asyncDispose]: async () => {},
    }),
  };
}
