import { describe, expect, test } from "bun:test";
import { captureScopeNotes, deriveKernelHealth, noLoss } from "../../src/capture/index.ts";
import type { CaptureLoss, KernelSummary } from "../../src/capture/index.ts";

const summary = (over: Partial<KernelSummary> = {}): KernelSummary => ({
  rowCount: 4,
  filesystemPaths: new Set(),
  networkEndpoints: new Set(),
  processExecs: new Set(),
  filteredLoaderEvents: 0,
  filteredLoaderTop: [],
  truncatedPaths: 0,
  loaderFilter: { enabled: true, dropped: 0, byRule: [], keptWrites: 0 },
  daemonHandoffs: [],
  ...over,
});

const loss = (over: Partial<CaptureLoss> = {}, hooks: Partial<CaptureLoss["hooks"]> = {}): CaptureLoss => ({
  ...noLoss,
  ...over,
  hooks: { ...noLoss.hooks, ...hooks },
});

const EMPTY_FILTER_NOTE =
  "loader_filter: filtered_loader_events=0 filtered_loader_top=[] kept_writes=0; read-only opens only, writes, creates and execs are always rows";

describe("deriveKernelHealth", () => {
  test("says complete with the short s2 note when nothing was lost (upstream's golden note)", () => {
    const health = deriveKernelHealth({
      loss: loss({}, { connect: { emitted: 1, dropped: 0 } }),
      summary: summary(),
      cgroupCorrelation: "clean",
      backend: "native eBPF engine (kernel 6.18.44)",
    });
    expect(health).toEqual({
      kernel_layer: "complete",
      ringbuf_drops: 0,
      network_protocol_coverage: "connect_only",
      network_endpoint_claim_scope: "diagnostic_only",
      note: "s2_kernel_capture: monitor_events=4 ringbuf_drops=0 network_protocol_coverage=connect_only network_endpoint_claim_scope=diagnostic_only",
      backendNote: "capture_backend: native eBPF engine (kernel 6.18.44)",
      scopeNotes: [EMPTY_FILTER_NOTE],
    });
  });

  test("derives every coverage value from the network hook counters", () => {
    const one = { emitted: 1, dropped: 0 };
    const cases: Array<[Partial<CaptureLoss["hooks"]>, string, string]> = [
      [{}, "absent", "not_applicable"],
      [{ connect: one }, "connect_only", "diagnostic_only"],
      [{ sendto: one }, "datagram_peer_observed", "diagnostic_only"],
      [{ sendmsg: one }, "datagram_peer_observed", "diagnostic_only"],
      [{ connect: one, sendmsg: one }, "connect_and_datagram_peer_observed", "diagnostic_only"],
      [{ sendto: { emitted: 0, dropped: 1 } }, "unknown", "unknown"],
    ];
    const got: unknown[] = cases.map(([hooks]) => {
      const health = deriveKernelHealth({ loss: loss({}, hooks), summary: summary(), cgroupCorrelation: "clean" });
      return [hooks, health.network_protocol_coverage, health.network_endpoint_claim_scope];
    });
    expect(got).toEqual(cases);
  });

  test("reports drops with upstream's breakdown note and turns absent coverage into unknown", () => {
    const health = deriveKernelHealth({
      loss: loss({ ringbufDrops: 3 }, { openat: { emitted: 10, dropped: 3 }, exec: { emitted: 2, dropped: 0 } }),
      summary: summary({
        rowCount: 9,
        filteredLoaderEvents: 4,
        filteredLoaderTop: [
          { path: "/a/node_modules/x", count: 3 },
          { path: "/a/node_modules/y", count: 1 },
        ],
      }),
      cgroupCorrelation: "clean",
      backend: "native eBPF engine (kernel 6.18.44)",
    });
    expect(health).toEqual({
      kernel_layer: "partial_ringbuf_drops",
      ringbuf_drops: 3,
      network_protocol_coverage: "unknown",
      network_endpoint_claim_scope: "unknown",
      note:
        "s2_kernel_capture: monitor_events=9 ringbuf_drops=3 network_protocol_coverage=unknown network_endpoint_claim_scope=unknown" +
        " drop_breakdown=tracepoint:3 lsm:0 socket:0 emitted=tracepoint:12 lsm:0 socket:0" +
        " tracepoint_hooks=openat:10/3 openat2:0/0 connect:0/0 sendto:0/0 sendmsg:0/0 filtered_loader_events=4 filtered_loader_top=[3x:/a/node_modules/x,1x:/a/node_modules/y]",
      backendNote: "capture_backend: native eBPF engine (kernel 6.18.44) extra_hooks=open:0/0 creat:0/0 exec:2/0",
      scopeNotes: [EMPTY_FILTER_NOTE],
    });
  });

  test("appends the send suffixes only when non-zero", () => {
    const health = deriveKernelHealth({
      loss: loss({ sendNoRecoverablePeer: { sendto: 2, sendmsg: 0 }, sendNonIpFamily: { sendto: 0, sendmsg: 5 } }),
      summary: summary(),
      cgroupCorrelation: "clean",
    });
    expect(health.note).toBe(
      "s2_kernel_capture: monitor_events=4 ringbuf_drops=0 network_protocol_coverage=absent network_endpoint_claim_scope=not_applicable send_no_recoverable_peer=sendto:2 sendmsg:0 send_non_ip_family=sendto:0 sendmsg:5",
    );
  });

  test("downgrades the layer to absent with zero drops when cgroup correlation is partial", () => {
    const health = deriveKernelHealth({
      loss: loss({ ringbufDrops: 7 }, { connect: { emitted: 1, dropped: 0 } }),
      summary: summary(),
      cgroupCorrelation: "partial",
      backend: "ptrace strace 6.1",
    });
    expect(health).toEqual({
      kernel_layer: "absent",
      ringbuf_drops: 0,
      network_protocol_coverage: "absent",
      network_endpoint_claim_scope: "not_applicable",
      note: "s2_kernel_capture: monitor_events=4 cgroup_correlation=Partial kernel_layer downgraded to absent",
      backendNote: "capture_backend: ptrace strace 6.1 extra_hooks=open:0/0 creat:0/0 exec:0/0",
      scopeNotes: [EMPTY_FILTER_NOTE],
    });
  });

  test("never says complete when a record could not be decoded or a kept path was cut", () => {
    const mismatch = deriveKernelHealth({ loss: loss({ eventSizeMismatch: 1 }), summary: summary(), cgroupCorrelation: "clean" });
    const cut = deriveKernelHealth({ loss: loss({ truncatedPaths: 2 }), summary: summary({ truncatedPaths: 1 }), cgroupCorrelation: "clean", backend: "ebpf" });
    expect([mismatch.kernel_layer, mismatch.ringbuf_drops, mismatch.network_protocol_coverage, mismatch.note]).toEqual([
      "partial_ringbuf_drops",
      0,
      "unknown",
      "s2_kernel_capture: monitor_events=4 ringbuf_drops=0 network_protocol_coverage=unknown network_endpoint_claim_scope=unknown",
    ]);
    expect([cut.kernel_layer, cut.backendNote]).toEqual(["partial_ringbuf_drops", "capture_backend: ebpf truncated_paths=1 truncated_seen=2"]);
  });
});

describe("captureScopeNotes", () => {
  test("counts every drop per rule and names daemon handoffs after the backend note", () => {
    const notes = captureScopeNotes({
      loaderFilter: {
        enabled: true,
        dropped: 7,
        byRule: [
          { rule: "/usr/lib/", count: 5 },
          { rule: "/proc/", count: 2 },
        ],
        keptWrites: 1,
      },
      daemonHandoffs: ["exec:/usr/bin/systemd-run", "unix:/run/docker.sock"],
    });
    expect(notes).toEqual([
      "loader_filter: filtered_loader_events=7 filtered_loader_top=[5x:/usr/lib/,2x:/proc/] kept_writes=1; read-only opens only, writes, creates and execs are always rows",
      "daemon_handoff: exec:/usr/bin/systemd-run,unix:/run/docker.sock; work a daemon does for the workload runs outside the session and is not in this archive",
    ]);
  });

  test("says the filter is off with --keep-all-opens", () => {
    expect(captureScopeNotes({ loaderFilter: { enabled: false, dropped: 0, byRule: [], keptWrites: 0 }, daemonHandoffs: [] })).toEqual([
      "loader_filter: off (--keep-all-opens) filtered_loader_events=0 filtered_loader_top=[]",
    ]);
  });
});
