import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import {
  ArchiveManifestSchema,
  CapabilitySurfaceSchema,
  checkArchiveDocuments,
  CorrelationReportSchema,
  deriveSurfaceSets,
  KernelEventSchema,
  ObservationHealthSchema,
  PolicyEventSchema,
  RunEventSchema,
  SdkEventSchema,
  type ArchiveDocuments,
} from "../../src/schema/index.ts";
import { sample } from "./_documents.ts";

const kernelRow = (seq: number, eventType: number, kind: string, value: string | null, extra: Record<string, unknown> = {}) =>
  v.parse(KernelEventSchema, { schema: "assay.runner.kernel_event.v0", run_id: "run_001", seq, pid: 7, event_type: eventType, kind, value, ...extra });

/** A consistent archive: the surface is what the rows imply, one binding per policy row. */
function archive(): ArchiveDocuments {
  const kernel = [
    kernelRow(0, 1, "openat", "/tmp/work/b.txt"),
    kernelRow(1, 1, "openat", "/tmp/work/a.txt", { flags: 0, mode: 0, return_value: -2, access_mode: "read", status: "error" }),
    kernelRow(2, 2, "connect", "127.0.0.53:53"),
    kernelRow(3, 6, "sendto", "[2a00:1450:400e:806::200a]:0"),
    kernelRow(4, 21, "event_21", null),
  ];
  const policy = [v.parse(PolicyEventSchema, sample("policy"))];
  return {
    manifest: v.parse(ArchiveManifestSchema, sample("manifest")),
    surface: v.parse(CapabilitySurfaceSchema, sample("surface")),
    correlation: v.parse(CorrelationReportSchema, {
      ...sample("correlation"),
      bindings: [{ ...sample("correlation").bindings[0], kernel_event_count: kernel.length }],
    }),
    health: v.parse(ObservationHealthSchema, sample("health")),
    events: [v.parse(RunEventSchema, sample("runStarted")), v.parse(RunEventSchema, sample("runFinished"))],
    kernel,
    policy,
    sdk: [v.parse(SdkEventSchema, sample("sdk"))],
  };
}

const codesAndPaths = (documents: ArchiveDocuments) => checkArchiveDocuments(documents, "a.tar.gz").map(({ code, member, path }) => ({ code, member, path }));

describe("checkArchiveDocuments", () => {
  test("accepts members that agree with each other, failed opens included in the surface", () => {
    expect(codesAndPaths(archive())).toEqual([]);
  });

  test("reports a run id that differs from the manifest's, once per layer", () => {
    const docs = archive();
    const kernel = docs.kernel.map((row) => ({ ...row, run_id: "run_002" }));
    expect(codesAndPaths({ ...docs, kernel, health: { ...docs.health, run_id: "run_002" } })).toEqual([
      { code: "RUN_ID_MISMATCH", member: "observation-health.json", path: "run_id" },
      { code: "RUN_ID_MISMATCH", member: "layers/kernel.ndjson", path: "run_id" },
    ]);
  });

  test("requires both run events", () => {
    const docs = archive();
    expect(codesAndPaths({ ...docs, events: docs.events.slice(0, 1) })).toEqual([{ code: "EVENTS_INCOMPLETE", member: "events.ndjson", path: "" }]);
  });

  test("reports a surface set that lacks or adds values the rows do not imply", () => {
    const docs = archive();
    const surface = { ...docs.surface, filesystem_paths: ["/tmp/work/a.txt"], mcp_tools: ["read_file", "write_file"] };
    const issues = checkArchiveDocuments({ ...docs, surface }, "a.tar.gz");
    expect(issues.map(({ code, path, message }) => ({ code, path, message }))).toEqual([
      {
        code: "SURFACE_MISMATCH",
        path: "filesystem_paths",
        message: 'capability surface filesystem_paths lacks 1 value the kernel rows show (first "/tmp/work/b.txt")',
      },
      { code: "SURFACE_MISMATCH", path: "mcp_tools", message: 'capability surface mcp_tools lists 1 value no policy row shows (first "write_file")' },
    ]);
  });

  test("reports bindings that do not mirror the policy rows or miscount the kernel rows", () => {
    const docs = archive();
    const binding = { ...docs.correlation.bindings[0]!, policy_decision: "deny", kernel_event_count: 4 };
    expect(codesAndPaths({ ...docs, correlation: { ...docs.correlation, bindings: [binding] } })).toEqual([
      { code: "CORRELATION_MISMATCH", member: "correlation-report.json", path: "bindings.0.policy_decision" },
      { code: "CORRELATION_MISMATCH", member: "correlation-report.json", path: "bindings.0.kernel_event_count" },
    ]);
    expect(codesAndPaths({ ...docs, correlation: { ...docs.correlation, bindings: [] } })).toEqual([
      { code: "CORRELATION_MISMATCH", member: "correlation-report.json", path: "bindings" },
    ]);
  });

  test("reports layer statuses that contradict the layers", () => {
    const docs = archive();
    expect(codesAndPaths({ ...docs, health: { ...docs.health, policy_layer: "absent", sdk_layer: "absent" } })).toEqual([
      { code: "HEALTH_LAYER_MISMATCH", member: "observation-health.json", path: "policy_layer" },
      { code: "HEALTH_LAYER_MISMATCH", member: "observation-health.json", path: "sdk_layer" },
    ]);
  });

  test("refuses cgroup_correlation failed in an archive", () => {
    const docs = archive();
    expect(codesAndPaths({ ...docs, health: { ...docs.health, cgroup_correlation: "failed" } })).toEqual([
      { code: "INVARIANT_VIOLATED", member: "observation-health.json", path: "cgroup_correlation" },
    ]);
  });
});

describe("deriveSurfaceSets", () => {
  test("sorts by UTF-8 bytes and keeps exec rows as process_execs", () => {
    const kernel = [kernelRow(0, 4, "exec", "/usr/bin/\u{1F600}"), kernelRow(1, 4, "exec", "/usr/bin/\uFFFD"), kernelRow(2, 4, "exec", "/usr/bin/\uFFFD")];
    expect(deriveSurfaceSets(kernel, []).process_execs).toEqual(["/usr/bin/\uFFFD", "/usr/bin/\u{1F600}"]);
  });
});
