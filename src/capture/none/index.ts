import { recordStream } from "../record-stream.ts";
import type { ArmedCapture, CaptureBackend, CaptureLoss } from "../types.ts";

const zero = { emitted: 0, dropped: 0 };

/** An empty loss record: nothing captured, nothing lost. */
export const noLoss: CaptureLoss = {
  ringbufDrops: 0,
  eventSizeMismatch: 0,
  hooks: { openat: zero, openat2: zero, open: zero, creat: zero, connect: zero, sendto: zero, sendmsg: zero, exec: zero },
  sendNoRecoverablePeer: { sendto: 0, sendmsg: 0 },
  sendNonIpFamily: { sendto: 0, sendmsg: 0 },
  truncatedPaths: 0,
};

/** Contract-only capture: observes nothing in the kernel and says so. */
export const noneBackend: CaptureBackend = {
  name: "none",
  probe: async () => ({ backend: "none", available: true, reason: "contract-only: no kernel capture", version: "" }),
  arm: async (): Promise<ArmedCapture> => ({
    backend: "none",
    version: "none",
    helpers: [],
    command: (argv) => argv,
    stop: async () => ({ records: recordStream([]), loss: noLoss, streamComplete: true }),
    [Symbol.asyncDispose]: async () => {},
  }),
};
