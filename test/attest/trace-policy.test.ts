import { describe, expect, test } from "bun:test";
import { buildTracePolicy } from "../../src/attest/index.ts";

describe("buildTracePolicy", () => {
  test("reads the backend, its version and a fallback from our notes, and the redaction block", () => {
    const policy = buildTracePolicy({
      notes: [
        "s2_kernel_capture: monitor_events=3 ringbuf_drops=0",
        "capture_backend: ptrace strace 6.1 truncated_paths=1 truncated_seen=1",
        "capture_fallback: --capture auto could not arm ebpf: no bpftrace; measured with ptrace strace 6.1",
      ],
      redaction: {
        mode: "shape_and_flag",
        redacted_count: 2,
        by_rule: { "github-token": 2 },
        by_field: { "events.command": 2 },
        key_scope: "host_local",
        key_id: "k1",
      },
    });
    expect(policy).toEqual({
      captureBackend: "ptrace",
      captureVersion: "strace 6.1",
      hooks: ["openat", "openat2", "open", "creat", "connect", "sendto", "sendmsg", "exec"],
      hooksSource: "capture_backend_note",
      scope: "cgroup_v2_session",
      fallbacks: ["capture_fallback: --capture auto could not arm ebpf: no bpftrace; measured with ptrace strace 6.1"],
      redaction: {
        mode: "shape_and_flag",
        ruleSet: "assay.secret-rules.v1",
        keyScope: "host_local",
        keyId: "k1",
        redactedCount: 2,
        byRule: { "github-token": 2 },
      },
    });
  });

  test("names the eBPF backend for both its engines, with the version text the note gives", () => {
    const names = [
      "capture_backend: native eBPF engine (kernel 6.18.44) truncated_paths=1 truncated_seen=1",
      "capture_backend: ebpf bpftrace v0.17.0",
      "capture_backend: none",
      "capture_backend: something new",
    ].map((note) => {
      const policy = buildTracePolicy({ notes: [note] });
      return [policy.captureBackend, policy.captureVersion, (policy.hooks as string[]).length, policy.hooksSource];
    });
    expect(names).toEqual([
      ["ebpf", "native eBPF engine (kernel 6.18.44)", 8, "capture_backend_note"],
      ["ebpf", "bpftrace v0.17.0", 8, "capture_backend_note"],
      ["none", undefined, 0, "capture_backend_note"],
      ["unknown", "something new", 0, "unrecognised_backend"],
    ]);
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
