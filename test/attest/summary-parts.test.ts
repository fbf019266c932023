import { describe, expect, test } from "bun:test";
import {
  buildMonitorLog,
  buildObservationExtension,
  buildTracePolicy,
  fileUri,
  KernelSummary,
  MAX_NOTES,
  monitoredProcessOf,
  NOTE_MAX_CHARS,
  splitEndpoint,
} from "../../src/attest/index.ts";

const POINTER = { archiveName: "a.tar.gz", archiveSha256: "aa", kernelLayerSha256: "bb" };

describe("buildMonitorLog", () => {
  test("tallies repeated paths, endpoints and programs into one entry each", () => {
    const summary = new KernelSummary();
    summary.add({ seq: 0, kind: "openat", value: "/w/x", access_mode: "read", status: "success" });
    summary.add({ seq: 1, kind: "openat", value: "/w/x", access_mode: "write", operation_flags: ["create"], status: "error" });
    summary.add({ seq: 2, kind: "file_blocked", value: "/w/x" });
    summary.add({ seq: 3, kind: "connect", value: "1.2.3.4:443" });
    summary.add({ seq: 4, kind: "sendto", value: "1.2.3.4:443" });
    summary.add({ seq: 5, kind: "connect_blocked", value: "1.2.3.4:443" });
    summary.add({ seq: 6, kind: "exec", value: "/bin/sh" });
    summary.add({ seq: 7, kind: "exec", value: "/bin/sh" });
    summary.add({ seq: 8, kind: "connect", value: null });
    const log = buildMonitorLog(summary, POINTER);
    expect({ process: log.process, network: log.network, fileAccess: log.fileAccess }).toEqual({
      process: [{ eventType: "exec", processBinary: "/bin/sh", assayRunner: { execs: 2, firstSeenSeq: 6 } }],
      network: [{ ip: "1.2.3.4", port: 443, assayRunner: { endpoint: "1.2.3.4:443", direction: "outbound", syscalls: ["connect", "sendto"], count: 3, firstSeenSeq: 3, blocked: 1 } }],
      fileAccess: [{ uri: "file:///w/x", annotations: { access: ["read", "write"], operations: ["create"], opens: 2, failed: 1, blocked: 1 } }],
    });
    expect(summary.valuelessRows).toBe(1);
    expect(log.assayRunnerSummary.complete).toBe(true);
  });

  test("stops a list at its byte budget and counts what it left out", () => {
    const summary = new KernelSummary();
    for (let i = 0; i < 100; i++) summary.add({ seq: i, kind: "openat", value: `/p/${String(i).padStart(3, "0")}`, access_mode: "read" });
    const entryBytes = Buffer.byteLength(JSON.stringify({ uri: "file:///p/000", annotations: { access: ["read"], opens: 1 } })) + 1;
    const log = buildMonitorLog(summary, POINTER, { process: 1000, network: 1000, fileAccess: entryBytes * 10 + 3 });
    expect(log.fileAccess.map((entry) => entry.uri)).toEqual(Array.from({ length: 10 }, (_, i) => `file:///p/00${i}`));
    expect(log.assayRunnerSummary.fileAccess).toEqual({ observed: 100, listed: 10 });
    expect(log.assayRunnerSummary.complete).toBe(false);
  });

  test("lists written files before read ones, each in UTF-8 byte order", () => {
    const summary = new KernelSummary();
    summary.add({ seq: 0, kind: "openat", value: "/b", access_mode: "read" });
    summary.add({ seq: 1, kind: "openat", value: "/z", access_mode: "write" });
    summary.add({ seq: 2, kind: "openat", value: "/\u{1F600}", access_mode: "read" });
    summary.add({ seq: 3, kind: "openat", value: "/\uFFFD", access_mode: "read" });
    summary.add({ seq: 4, kind: "openat", value: "/a", access_mode: "read", operation_flags: ["append"] });
    expect(buildMonitorLog(summary, POINTER).fileAccess.map((entry) => entry.uri)).toEqual(["file:///a", "file:///z", "file:///b", "file:///%EF%BF%BD", "file:///%F0%9F%98%80"]);
  });
});

describe("splitEndpoint", () => {
  test("splits IPv4 and bracketed IPv6 endpoints, and refuses anything else", () => {
    expect([splitEndpoint("10.0.0.1:53"), splitEndpoint("[2a00:1450:400e:806::200a]:0"), splitEndpoint("example.com:443"), splitEndpoint("1.2.3.4:70000")]).toEqual([
      { ip: "10.0.0.1", port: 53 },
      { ip: "2a00:1450:400e:806::200a", port: 0 },
      undefined,
      undefined,
    ]);
  });
});

describe("fileUri", () => {
  test("percent-encodes what a URI path cannot hold and keeps the rest", () => {
    expect(fileUri("/a b/c#d?e%f/<redacted:github-token:1a2b3c4d>/ü")).toBe("file:///a%20b/c%23d%3Fe%25f/%3Credacted:github-token:1a2b3c4d%3E/%C3%BC");
    expect(decodeURIComponent(fileUri("/x y/é#").slice("file://".length))).toBe("/x y/é#");
  });
});

describe("buildTracePolicy", () => {
  test("reads the backend, its version and a fallback from our notes, and the redaction block", () => {
    const policy = buildTracePolicy({
      notes: [
        "s2_kernel_capture: monitor_events=3 ringbuf_drops=0",
        "capture_backend: ptrace strace 6.1 truncated_paths=1 truncated_seen=1",
        "capture_fallback: --capture auto could not arm ebpf: no bpftrace; measured with ptrace strace 6.1",
      ],
      redaction: { mode: "shape_and_flag", redacted_count: 2, by_rule: { "github-token": 2 }, by_field: { "events.command": 2 }, key_scope: "host_local", key_id: "k1" },
    });
    expect(policy).toEqual({
      captureBackend: "ptrace",
      captureVersion: "strace 6.1",
      hooks: ["openat", "openat2", "open", "creat", "connect", "sendto", "sendmsg", "exec"],
      hooksSource: "capture_backend_note",
      scope: "cgroup_v2_session",
      fallbacks: ["capture_fallback: --capture auto could not arm ebpf: no bpftrace; measured with ptrace strace 6.1"],
      redaction: { mode: "shape_and_flag", ruleSet: "assay.secret-rules.v1", keyScope: "host_local", keyId: "k1", redactedCount: 2, byRule: { "github-token": 2 } },
    });
  });

  test("says a contract-only run hooked nothing and had redaction off when it was", () => {
    const policy = buildTracePolicy({
      notes: ["contract_only_mode: kernel and cgroup capture not wired in this revision"],
      redaction: { mode: "disabled_unsafe", redacted_count: 0, by_rule: {}, by_field: {}, key_scope: "ephemeral", key_id: "none" },
    });
    expect(policy).toEqual({
      captureBackend: "none",
      hooks: [],
      hooksSource: "contract_only_note",
      redaction: { mode: "disabled_unsafe", ruleSet: null, keyScope: "ephemeral", keyId: "none", redactedCount: 0, byRule: {} },
    });
  });
});

describe("monitoredProcessOf", () => {
  test("names the GitHub run attempt when GITHUB_* variables are set", () => {
    const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "123", GITHUB_RUN_ATTEMPT: "2" };
    expect(monitoredProcessOf(env, "runner-7", "run_1")).toEqual({
      hostID: "https://github.com",
      type: "https://actions.github.io/buildtypes/workflow/v1",
      event: "https://github.com/acme/app/actions/runs/123/attempts/2",
    });
  });

  test("falls back to the host and the run id without them", () => {
    expect(monitoredProcessOf({ GITHUB_REPOSITORY: "acme/app" }, "build host", "run_1")).toEqual({ hostID: "urn:assay-runner:host:build%20host", type: "urn:assay-runner:run:v0", event: "run_1" });
  });
});

describe("buildObservationExtension", () => {
  const clean = { schema: "assay.runner.observation_health.v0", run_id: "r", platform: "linux", kernel_layer: "complete", ringbuf_drops: 0, policy_layer: "absent", sdk_layer: "absent", cgroup_correlation: "clean", network_protocol_coverage: "connect_only", network_endpoint_claim_scope: "diagnostic_only", notes: [] };

  test("calls a clean capture complete", () => {
    expect(buildObservationExtension(clean)).toEqual({ complete: true, gaps: [], health: clean });
  });

  test("names every gap of a partial capture", () => {
    const partial = { ...clean, kernel_layer: "partial_ringbuf_drops", ringbuf_drops: 12n, cgroup_correlation: "partial", network_protocol_coverage: "unknown", capture_origin: "third_party" };
    expect(buildObservationExtension(partial).gaps).toEqual(["kernel_layer=partial_ringbuf_drops", "ringbuf_drops=12", "capture_origin=third_party", "cgroup_correlation=partial", "network_protocol_coverage=unknown"]);
  });

  test("bounds the notes it copies, and says how many it left out", () => {
    const notes = Array.from({ length: MAX_NOTES + 5 }, (_, i) => (i === 0 ? "x".repeat(NOTE_MAX_CHARS + 10) : `note ${i}`));
    const copied = buildObservationExtension({ ...clean, notes }).health.notes as string[];
    expect(copied.length).toBe(MAX_NOTES + 1);
    expect(copied[0]).toBe(`${"x".repeat(NOTE_MAX_CHARS)}… [cut at ${NOTE_MAX_CHARS} of ${NOTE_MAX_CHARS + 10} characters]`);
    expect(copied.at(-1)).toBe("… 5 more notes in the archive's observation-health.json");
  });
});
