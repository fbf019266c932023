export type * from "./types.ts";
export { noLoss, noneBackend } from "./none/index.ts";
export { chooseBackend, type CaptureChoice, type CaptureRequest } from "./select.ts";
export { KERNEL_EVENT_SCHEMA, kernelKind, normalizeKernelRecords, openAccessMode, openOperationFlags, type KernelSummary } from "./normalize.ts";
export { deriveKernelHealth, networkProtocolCoverage, type KernelHealth, type NetworkEndpointClaimScope, type NetworkProtocolCoverage } from "./kernel-health.ts";
export { isKernelFilteredPath, isLoaderTelemetryPath } from "./loader-filter.ts";
export { createEbpfBackend, ebpfBackend, type EbpfOptions } from "./ebpf/index.ts";
export { ptraceBackend, straceCommand } from "./ptrace/index.ts";
export { CaptureHostError, type CaptureErrorCode } from "./errors.ts";
