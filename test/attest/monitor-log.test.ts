import { describe, expect, test } from "bun:test";
import { buildMonitorLog, fileUri, KernelSummary, splitEndpoint } from "../../src/attest/index.ts";

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
      network: [
        {
          ip: "1.2.3.4",
          port: 443,
          assayRunner: { endpoint: "1.2.3.4:443", direction: "outbound", syscalls: ["connect", "sendto"], count: 3, firstSeenSeq: 3, blocked: 1 },
        },
      ],
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
    expect(buildMonitorLog(summary, POINTER).fileAccess.map((entry) => entry.uri)).toEqual([
      "file:///a",
      "file:///z",
      "file:///b",
      "file:///%EF%BF%BD",
      "file:///%F0%9F%98%80",
    ]);
  });
});

describe("buildMonitorLog network entries", () => {
  test("leave out port 0 (a UDP connect picking a source address) and keep the raw endpoint", () => {
    const summary = new KernelSummary();
    summary.add({ seq: 0, kind: "connect", value: "[2a00:1450:400e:806::200a]:0" });
    expect(buildMonitorLog(summary, POINTER).network).toEqual([
      {
        ip: "2a00:1450:400e:806::200a",
        assayRunner: { endpoint: "[2a00:1450:400e:806::200a]:0", direction: "outbound", syscalls: ["connect"], count: 1, firstSeenSeq: 0 },
      },
    ]);
  });
});

describe("splitEndpoint", () => {
  test("splits IPv4 and bracketed IPv6 endpoints, and refuses anything else", () => {
    expect([
      splitEndpoint("10.0.0.1:53"),
      splitEndpoint("[2a00:1450:400e:806::200a]:0"),
      splitEndpoint("example.com:443"),
      splitEndpoint("1.2.3.4:70000"),
    ]).toEqual([{ ip: "10.0.0.1", port: 53 }, { ip: "2a00:1450:400e:806::200a", port: 0 }, undefined, undefined]);
  });
});

describe("fileUri", () => {
  test("percent-encodes what a URI path cannot hold and keeps the rest", () => {
    expect(fileUri("/a b/c#d?e%f/<redacted:github-token:1a2b3c4d>/ü")).toBe("file:///a%20b/c%23d%3Fe%25f/%3Credacted:github-token:1a2b3c4d%3E/%C3%BC");
    expect(decodeURIComponent(fileUri("/x y/é#").slice("file://".length))).toBe("/x y/é#");
  });
});
