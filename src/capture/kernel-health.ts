import type { KernelSummary } from "./normalize.ts";
import type { CaptureLoss } from "./types.ts";

/** Network protocol coverage vocabulary (archive spec §2.8). */
export type NetworkProtocolCoverage = "unknown" | "absent" | "connect_only" | "datagram_peer_observed" | "connect_and_datagram_peer_observed";

/** Network endpoint claim scope vocabulary as produced by a runner (never `peer_set`). */
export type NetworkEndpointClaimScope = "unknown" | "not_applicable" | "diagnostic_only";

/** The kernel-derived fields of observation health and the `s2_kernel_capture:` note. */
export interface KernelHealth {
  readonly kernel_layer: "complete" | "partial_ringbuf_drops" | "absent";
  readonly ringbuf_drops: number;
  readonly network_protocol_coverage: NetworkProtocolCoverage;
  readonly network_endpoint_claim_scope: NetworkEndpointClaimScope;
  /** The s2 note, byte-exact with upstream's format. */
  readonly note: string;
  /** Our `capture_backend:` note, appended after upstream's notes: backend, version, cut paths. */
  readonly backendNote: string;
  /** Our scope notes, after the backend note: `loader_filter:` always, `daemon_handoff:` when seen. */
  readonly scopeNotes: readonly string[];
}

/** Derives kernel health (§5.6, archive spec §2.8) from loss counters, the kernel summary and cgroup correlation. */
export function deriveKernelHealth(input: {
  readonly loss: CaptureLoss;
  readonly summary: KernelSummary;
  readonly cgroupCorrelation: "clean" | "partial";
  /** `ArmedCapture.version`, for the backend note. */
  readonly backend?: string;
}): KernelHealth {
  const { loss, summary, cgroupCorrelation } = input;
  const backendNote = captureBackendNote(input.backend ?? "unknown", loss, summary);
  const scopeNotes = captureScopeNotes(summary);
  if (cgroupCorrelation !== "clean") {
    return {
      kernel_layer: "absent",
      ringbuf_drops: 0,
      network_protocol_coverage: "absent",
      network_endpoint_claim_scope: "not_applicable",
      note: `s2_kernel_capture: monitor_events=${summary.rowCount} cgroup_correlation=Partial kernel_layer downgraded to absent`,
      backendNote,
      scopeNotes,
    };
  }
  // deviation: a retained row whose path was cut at the backend's string limit counts as lost,
  // like upstream's event_size_mismatch, so the layer is never `complete` with a wrong path in it.
  const lost = loss.ringbufDrops + loss.eventSizeMismatch + summary.truncatedPaths + unobservedTotal(loss);
  const kernelLayer = lost === 0 ? "complete" : "partial_ringbuf_drops";
  let coverage = networkProtocolCoverage(loss);
  if (kernelLayer === "partial_ringbuf_drops" && coverage === "absent") coverage = "unknown";
  const scope = claimScope(coverage);
  return {
    kernel_layer: kernelLayer,
    ringbuf_drops: loss.ringbufDrops,
    network_protocol_coverage: coverage,
    network_endpoint_claim_scope: scope,
    note: s2Note(loss, summary, coverage, scope),
    backendNote,
    scopeNotes,
  };
}

/** Coverage from per-hook counters (lifecycle spec §5.6, upstream `network_protocol_coverage_for`). */
export function networkProtocolCoverage(loss: CaptureLoss): NetworkProtocolCoverage {
  const { connect, sendto, sendmsg } = loss.hooks;
  const hasConnect = connect.emitted > 0;
  const hasDatagramPeer = sendto.emitted > 0 || sendmsg.emitted > 0;
  const hasNetworkDrop = connect.dropped > 0 || sendto.dropped > 0 || sendmsg.dropped > 0;
  if (!hasConnect && !hasDatagramPeer && hasNetworkDrop) return "unknown";
  if (hasConnect) return hasDatagramPeer ? "connect_and_datagram_peer_observed" : "connect_only";
  return hasDatagramPeer ? "datagram_peer_observed" : "absent";
}

/**
 * What the kernel layer leaves out, stated (ARCHITECTURE "Capture"): the loader filter's drops per
 * rule in upstream's `filtered_loader_events` / `filtered_loader_top` shape (every rule, not a top
 * 5: there are at most 25), the writes it let through, and work handed to a daemon.
 */
export function captureScopeNotes(summary: Pick<KernelSummary, "loaderFilter" | "daemonHandoffs">): string[] {
  const filter = summary.loaderFilter;
  const rules = filter.byRule.map(({ rule, count }) => `${count}x:${rule}`).join(",");
  const notes = [
    filter.enabled
      ? `loader_filter: filtered_loader_events=${filter.dropped} filtered_loader_top=[${rules}] kept_writes=${filter.keptWrites}; read-only opens only, writes, creates and execs are always rows`
      : "loader_filter: off (--keep-all-opens) filtered_loader_events=0 filtered_loader_top=[]",
  ];
  if (summary.daemonHandoffs.length > 0) {
    notes.push(`daemon_handoff: ${summary.daemonHandoffs.join(",")}; work a daemon does for the workload runs outside the session and is not in this archive`);
  }
  return notes;
}

// --- internal ---

function claimScope(coverage: NetworkProtocolCoverage): NetworkEndpointClaimScope {
  if (coverage === "unknown") return "unknown";
  return coverage === "absent" ? "not_applicable" : "diagnostic_only";
}

// Upstream `kernel_capture_note` (notes.rs), clean correlation: the short form when no ring drop
// happened, the breakdown form otherwise; the send suffixes only when non-zero.
function s2Note(loss: CaptureLoss, summary: KernelSummary, coverage: NetworkProtocolCoverage, scope: NetworkEndpointClaimScope): string {
  const head = `s2_kernel_capture: monitor_events=${summary.rowCount} ringbuf_drops=${loss.ringbufDrops} network_protocol_coverage=${coverage} network_endpoint_claim_scope=${scope}`;
  const { sendNoRecoverablePeer: noPeer, sendNonIpFamily: nonIp } = loss;
  const suffix =
    (noPeer.sendto + noPeer.sendmsg > 0 ? ` send_no_recoverable_peer=sendto:${noPeer.sendto} sendmsg:${noPeer.sendmsg}` : "") +
    (nonIp.sendto + nonIp.sendmsg > 0 ? ` send_non_ip_family=sendto:${nonIp.sendto} sendmsg:${nonIp.sendmsg}` : "");
  if (loss.ringbufDrops === 0) return head + suffix;
  const h = loss.hooks;
  // Every hook of ours writes to one buffer, which plays upstream's tracepoint ring; we have no
  // LSM or socket ring, so those read 0.
  const emitted = Object.values(h).reduce((sum, hook) => sum + hook.emitted, 0);
  const top = summary.filteredLoaderTop.map(({ path, count }) => `${count}x:${path}`).join(",");
  return (
    `${head} drop_breakdown=tracepoint:${loss.ringbufDrops} lsm:0 socket:0 emitted=tracepoint:${emitted} lsm:0 socket:0` +
    ` tracepoint_hooks=openat:${h.openat.emitted}/${h.openat.dropped} openat2:${h.openat2.emitted}/${h.openat2.dropped}` +
    ` connect:${h.connect.emitted}/${h.connect.dropped} sendto:${h.sendto.emitted}/${h.sendto.dropped} sendmsg:${h.sendmsg.emitted}/${h.sendmsg.dropped}` +
    ` filtered_loader_events=${summary.filteredLoaderEvents} filtered_loader_top=[${top}]${suffix}`
  );
}

// Our own note (ARCHITECTURE "capture_backend"): which backend measured, plus what upstream's s2
// note has no words for — the legacy open/creat and exec hooks, and paths cut at the string limit.
function captureBackendNote(backend: string, loss: CaptureLoss, summary: KernelSummary): string {
  let note = `capture_backend: ${backend}`;
  const { open, creat, exec } = loss.hooks;
  if (loss.ringbufDrops > 0)
    note += ` extra_hooks=open:${open.emitted}/${open.dropped} creat:${creat.emitted}/${creat.dropped} exec:${exec.emitted}/${exec.dropped}`;
  if (summary.truncatedPaths > 0 || loss.truncatedPaths > 0) note += ` truncated_paths=${summary.truncatedPaths} truncated_seen=${loss.truncatedPaths}`;
  if (loss.eventSizeMismatch > 0) note += ` undecodable_records=${loss.eventSizeMismatch}`;
  const unobserved = Object.entries(loss.unobserved ?? {}).filter(([, count]) => count > 0);
  if (unobserved.length > 0) note += ` unobserved=${unobserved.map(([reason, count]) => `${reason}:${count}`).join(",")}`;
  return note;
}

// Effects the backend knows it missed (an unreadable path, a lost return value…): never `complete`.
function unobservedTotal(loss: CaptureLoss): number {
  return Object.values(loss.unobserved ?? {}).reduce((sum, count) => sum + count, 0);
}
