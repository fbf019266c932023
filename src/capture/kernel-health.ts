import type { KernelSummary } from "./normalize.ts";
import type { CaptureLoss } from "./types.ts";

/** The kernel-derived fields of observation health and the `s2_kernel_capture:` note. */
export interface KernelHealth {
  readonly kernel_layer: "complete" | "partial_ringbuf_drops" | "absent";
  readonly ringbuf_drops: number;
  readonly network_protocol_coverage: "unknown" | "absent" | "connect_only" | "datagram_peer_observed" | "connect_and_datagram_peer_observed";
  readonly network_endpoint_claim_scope: "unknown" | "not_applicable" | "diagnostic_only";
  /** The s2 note, byte-exact with upstream's format. */
  readonly note: string;
}

/** Derives kernel health (§5.6, archive spec §2.8) from loss counters, the kernel summary and cgroup correlation. */
export function deriveKernelHealth(_input: {
  readonly loss: CaptureLoss;
  readonly summary: KernelSummary;
  readonly cgroupCorrelation: "clean" | "partial";
}): KernelHealth {
  // Contract placeholder: the capture owner replaces this body (issue 4).
  throw new Error("deriveKernelHealth is not built yet");
}
