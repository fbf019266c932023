export type * from "./types.ts";
export { EVENT_UNIX_CONNECT } from "./types.ts";
export { noLoss, noneBackend } from "./none/index.ts";
export { recordStream } from "./record-stream.ts";
export { abilitiesOf, type CaptureAbilities } from "./abilities.ts";
export { armBackend, chooseBackend, type ArmedChoice, type CaptureChoice, type CaptureRequest } from "./select.ts";
export {
  kernelKind,
  normalizeKernelRecords,
  openAccessMode,
  openOperationFlags,
  type KernelSummary,
  type LoaderFilterCount,
  type NormalizeOptions,
} from "./normalize.ts";
export {
  captureScopeNotes,
  deriveKernelHealth,
  networkProtocolCoverage,
  type KernelHealth,
  type NetworkEndpointClaimScope,
  type NetworkProtocolCoverage,
} from "./kernel-health.ts";
export { isKernelFilteredPath, isLoaderTelemetryPath, isQuietCharDevice, isWritingOpen, loaderFilterRule } from "./loader-filter.ts";
export { createEbpfBackend, ebpfBackend, nativeEngineVersion, type EbpfOptions } from "./ebpf/index.ts";
export { ptraceBackend } from "./ptrace/index.ts";
export { straceCommand } from "./ptrace/arm-ptrace.ts";
export { CaptureHostError, type CaptureErrorCode } from "./errors.ts";
export { diagnoseCapture, type CaptureDiagnosis } from "./diagnose.ts";
