import { describe, expect, test } from "bun:test";
import { canonicalJson } from "../../src/evidence/index.ts";
import { claimDecisionForEffect, coverageDecision, networkDescriptorFor, SEED_DESCRIPTORS } from "../../src/compare/index.ts";

describe("SEED_DESCRIPTORS", () => {
  test("serialize exactly as upstream's five seed constructors (schema field first)", () => {
    const prefix = '{"schema":"assay.runner.coverage_descriptor.v0",';
    expect(Object.values(SEED_DESCRIPTORS).map((d) => canonicalJson(d))).toEqual([
      `${prefix}"dimension":"filesystem","method":"open/openat/openat2 tracepoints","observes":["path opens through syscall tracepoints"],"known_blind_spots":["io_uring file operations may bypass syscall tracepoints","mmap-backed writes are not path-open observations"],"completeness":"open_syscall_only"}`,
      `${prefix}"dimension":"network","method":"connect tracepoint","observes":["connect-time peer endpoints"],"known_blind_spots":["QUIC/datagram peer changes after connect are not an exhaustive peer set","io_uring network operations may bypass syscall tracepoints"],"completeness":"connect_only"}`,
      `${prefix}"dimension":"network","method":"sendto/sendmsg tracepoints","observes":["datagram peer endpoints from explicit sockaddr arguments"],"known_blind_spots":["connected datagram sends without an explicit sockaddr require connect evidence to recover the peer","io_uring network operations may bypass syscall tracepoints"],"completeness":"datagram_peer_observed"}`,
      `${prefix}"dimension":"network","method":"connect/sendto/sendmsg tracepoints","observes":["connect-time peer endpoints","datagram peer endpoints from explicit sockaddr arguments"],"known_blind_spots":["io_uring network operations may bypass syscall tracepoints"],"completeness":"connect_and_datagram_peer_observed"}`,
      `${prefix}"dimension":"process","method":"exec tracepoint","observes":["process exec targets"],"known_blind_spots":["fork/clone gaps can make process-tree exhaustiveness kernel-dependent"],"completeness":"exec_only"}`,
    ]);
  });
});

describe("coverageDecision", () => {
  const fs = SEED_DESCRIPTORS.filesystem_open_syscall_only;
  const full = { ...fs, completeness: "full" as const, known_blind_spots: [] };
  test("applies upstream's rule order for each claim kind", () => {
    expect([
      coverageDecision(undefined, "positive_existence").rule,
      coverageDecision({ ...fs, schema: "x" }, "positive_existence").reason,
      coverageDecision(fs, "positive_existence").reason,
      coverageDecision(fs, "exhaustive_set"),
      coverageDecision(full, "exhaustive_set").decision,
      coverageDecision(fs, "bounded_negative").decision,
      coverageDecision(full, "bounded_negative").rule,
    ]).toEqual([
      "coverage_descriptor_required_for_claim",
      "coverage descriptor schema must be assay.runner.coverage_descriptor.v0, found x",
      "open/openat/openat2 tracepoints observes positive filesystem effects",
      {
        decision: "degraded",
        rule: "coverage_descriptor_degrades_exhaustive_claim",
        reason:
          "filesystem completeness is open_syscall_only; blind spots: io_uring file operations may bypass syscall tracepoints; mmap-backed writes are not path-open observations",
      },
      "allowed",
      "blocked",
      "coverage_descriptor_allows_absence_claim",
    ]);
  });

  test("degrades a positive claim whose effect class no observes entry names (ASCII case-insensitive, trimmed)", () => {
    expect([claimDecisionForEffect(fs, "positive_existence", " Path Opens ").decision, claimDecisionForEffect(fs, "positive_existence", "").rule]).toEqual([
      "allowed",
      "coverage_descriptor_positive_class_not_observed",
    ]);
  });

  test("maps network protocol coverage to descriptors; unknown and absent map to none", () => {
    expect(
      ["connect_only", "datagram_peer_observed", "connect_and_datagram_peer_observed", "unknown", "absent"].map(
        (c) => networkDescriptorFor(c)?.completeness ?? null,
      ),
    ).toEqual(["connect_only", "datagram_peer_observed", "connect_and_datagram_peer_observed", null, null]);
  });
});
