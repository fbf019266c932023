import { COVERAGE_DESCRIPTOR_SCHEMA } from "./_schemas.ts";

/** How complete a capture method is for its dimension. */
export type Completeness = "full" | "open_syscall_only" | "connect_only" | "datagram_peer_observed" | "connect_and_datagram_peer_observed" | "exec_only";

/** An `assay.runner.coverage_descriptor.v0` (archive spec §2.9), keys in upstream order. */
export interface CoverageDescriptor {
  readonly schema: string;
  readonly dimension: "filesystem" | "network" | "process";
  readonly method: string;
  readonly observes: readonly string[];
  readonly known_blind_spots: readonly string[];
  readonly completeness: Completeness;
}

/** The kinds of claim a descriptor can gate. */
export type CoverageClaimKind = "positive_existence" | "exhaustive_set" | "bounded_negative";

/** A coverage gate decision with the rule and reason behind it. */
export interface CoverageDecision {
  readonly decision: "allowed" | "degraded" | "blocked";
  readonly rule: string;
  readonly reason: string;
}

/** The five seed descriptors, by upstream constructor name. */
export const SEED_DESCRIPTORS = {
  filesystem_open_syscall_only: seed(
    "filesystem",
    "open/openat/openat2 tracepoints",
    ["path opens through syscall tracepoints"],
    ["io_uring file operations may bypass syscall tracepoints", "mmap-backed writes are not path-open observations"],
    "open_syscall_only",
  ),
  network_connect_only: seed(
    "network",
    "connect tracepoint",
    ["connect-time peer endpoints"],
    ["QUIC/datagram peer changes after connect are not an exhaustive peer set", "io_uring network operations may bypass syscall tracepoints"],
    "connect_only",
  ),
  network_datagram_peer_observed: seed(
    "network",
    "sendto/sendmsg tracepoints",
    ["datagram peer endpoints from explicit sockaddr arguments"],
    [
      "connected datagram sends without an explicit sockaddr require connect evidence to recover the peer",
      "io_uring network operations may bypass syscall tracepoints",
    ],
    "datagram_peer_observed",
  ),
  network_connect_and_datagram_peer_observed: seed(
    "network",
    "connect/sendto/sendmsg tracepoints",
    ["connect-time peer endpoints", "datagram peer endpoints from explicit sockaddr arguments"],
    ["io_uring network operations may bypass syscall tracepoints"],
    "connect_and_datagram_peer_observed",
  ),
  process_exec_only: seed(
    "process",
    "exec tracepoint",
    ["process exec targets"],
    ["fork/clone gaps can make process-tree exhaustiveness kernel-dependent"],
    "exec_only",
  ),
} as const satisfies Record<string, CoverageDescriptor>;

/** The network descriptor matching a health `network_protocol_coverage`; none for `unknown`/`absent`. */
export function networkDescriptorFor(coverage: unknown): CoverageDescriptor | undefined {
  if (coverage === "connect_only") return SEED_DESCRIPTORS.network_connect_only;
  if (coverage === "datagram_peer_observed") return SEED_DESCRIPTORS.network_datagram_peer_observed;
  if (coverage === "connect_and_datagram_peer_observed") return SEED_DESCRIPTORS.network_connect_and_datagram_peer_observed;
  return undefined;
}

/** Whether a descriptor supports complete (exhaustive or absence) claims: full, with no blind spots. */
export function supportsCompleteClaims(descriptor: CoverageDescriptor): boolean {
  return descriptor.completeness === "full" && descriptor.known_blind_spots.length === 0;
}

/** Decides one claim kind against a descriptor (upstream `coverage.rs` rule order). */
export function coverageDecision(descriptor: CoverageDescriptor | undefined, kind: CoverageClaimKind): CoverageDecision {
  if (descriptor === undefined)
    return { decision: "blocked", rule: "coverage_descriptor_required_for_claim", reason: "no coverage descriptor was supplied for the claim" };
  if (descriptor.schema !== COVERAGE_DESCRIPTOR_SCHEMA) {
    return {
      decision: "blocked",
      rule: "coverage_descriptor_schema_mismatch",
      reason: `coverage descriptor schema must be ${COVERAGE_DESCRIPTOR_SCHEMA}, found ${descriptor.schema}`,
    };
  }
  const spots = blindSpotSummary(descriptor);
  switch (kind) {
    case "positive_existence":
      return {
        decision: "allowed",
        rule: "coverage_descriptor_allows_observed_positive_claim",
        reason: `${descriptor.method} observes positive ${descriptor.dimension} effects`,
      };
    case "exhaustive_set":
      return supportsCompleteClaims(descriptor)
        ? {
            decision: "allowed",
            rule: "coverage_descriptor_allows_exhaustive_claim",
            reason: `${descriptor.dimension} completeness is full; blind spots: ${spots}`,
          }
        : {
            decision: "degraded",
            rule: "coverage_descriptor_degrades_exhaustive_claim",
            reason: `${descriptor.dimension} completeness is ${descriptor.completeness}; blind spots: ${spots}`,
          };
    case "bounded_negative":
      return supportsCompleteClaims(descriptor)
        ? {
            decision: "allowed",
            rule: "coverage_descriptor_allows_absence_claim",
            reason: `${descriptor.dimension} completeness is full; blind spots: ${spots}`,
          }
        : {
            decision: "blocked",
            rule: "coverage_descriptor_blocks_absence_claim",
            reason: `${descriptor.dimension} completeness is ${descriptor.completeness}; blind spots can hide the requested absence: ${spots}`,
          };
  }
}

/** Like coverageDecision, but degrades an allowed positive claim whose effect class no `observes` entry names. */
export function claimDecisionForEffect(descriptor: CoverageDescriptor | undefined, kind: CoverageClaimKind, effectClass: string): CoverageDecision {
  const base = coverageDecision(descriptor, kind);
  if (kind !== "positive_existence" || base.decision !== "allowed" || descriptor === undefined) return base;
  const wanted = asciiLower(effectClass.trim());
  const listed = wanted.length > 0 && descriptor.observes.some((entry) => asciiLower(entry).includes(wanted));
  if (listed) return base;
  const observes = descriptor.observes.length > 0 ? descriptor.observes.join("; ") : "none declared";
  return {
    decision: "degraded",
    rule: "coverage_descriptor_positive_class_not_observed",
    reason: `${descriptor.dimension} does not list the claimed effect class "${effectClass.trim()}" in observes: ${observes}`,
  };
}

/** Joins a descriptor's blind spots with "; ", or "none declared". */
export function blindSpotSummary(descriptor: { readonly known_blind_spots?: readonly string[] | undefined }): string {
  const spots = descriptor.known_blind_spots ?? [];
  return spots.length > 0 ? spots.join("; ") : "none declared";
}

// --- internal ---

function seed(
  dimension: CoverageDescriptor["dimension"],
  method: string,
  observes: string[],
  known_blind_spots: string[],
  completeness: Completeness,
): CoverageDescriptor {
  return { schema: COVERAGE_DESCRIPTOR_SCHEMA, dimension, method, observes, known_blind_spots, completeness };
}

function asciiLower(text: string): string {
  // Rust to_ascii_lowercase leaves non-ASCII letters alone.
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
