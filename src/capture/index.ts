export type * from "./types.ts";
export { noLoss, noneBackend } from "./none/index.ts";
export { chooseBackend, type CaptureChoice, type CaptureRequest } from "./select.ts";
export { normalizeKernelRecords, type KernelSummary } from "./normalize.ts";
export { deriveKernelHealth, type KernelHealth } from "./kernel-health.ts";
