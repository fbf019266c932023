import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ArchiveWriter, canonicalJson, inspectArchive } from "../../src/evidence/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";

describe("inspectArchive", () => {
  test("summarizes an extracted directory: rows per layer, surface sizes, no redaction block", async () => {
    const summary = await inspectArchive(join(upstreamFixtures, "extracted/intact-open-metadata"));
    expect({
      kind: summary.kind,
      rows: summary.rows,
      redaction: summary.redaction,
      issues: summary.issues,
      hasDigest: summary.manifestDigest?.startsWith("sha256:"),
    }).toEqual({
      kind: "directory",
      rows: { "events.ndjson": 2, "layers/kernel.ndjson": 12, "layers/policy.ndjson": 0, "layers/sdk.ndjson": 3 },
      redaction: null,
      issues: [],
      hasDigest: true,
    });
  });

  test("reports a killed run's signal and the health record's redaction tally", async () => {
    using dir = tempDir("inspect");
    const outputPath = join(dir.path, "a.tar.gz");
    const redaction = {
      mode: "shape_and_flag",
      redacted_count: 2,
      by_rule: { "github-token": 2 },
      by_field: { command: 2 },
      key_scope: "host_local",
      key_id: "hmac-sha256:d59e5ced",
    };
    {
      await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
      writer.set(
        "capability-surface.json",
        canonicalJson({
          schema: "assay.runner.capability_surface.v0",
          run_id: "run_001",
          filesystem_paths: ["/a", "/b"],
          network_endpoints: [],
          process_execs: ["sh"],
          mcp_tools: [],
          policy_decisions: [],
        }),
      );
      writer.set(
        "correlation-report.json",
        canonicalJson({ schema: "assay.runner.correlation_report.v0", run_id: "run_001", status: "clean", bindings: [], ambiguities: [] }),
      );
      writer.set(
        "observation-health.json",
        canonicalJson({
          schema: "assay.runner.observation_health.v0",
          run_id: "run_001",
          platform: "linux",
          kernel_layer: "absent",
          ringbuf_drops: 0,
          policy_layer: "absent",
          sdk_layer: "absent",
          cgroup_correlation: "partial",
          network_protocol_coverage: "absent",
          network_endpoint_claim_scope: "not_applicable",
          redaction,
          notes: ["n1"],
        }),
      );
      writer.append(
        "events.ndjson",
        `${canonicalJson({ schema: "assay.runner.event.v0", run_id: "run_001", seq: 0, type: "run_started", agent_shim: "none", command: ["sleep", "9"], env_keys: [], window_elapsed_ms: 0 })}\n`,
      );
      writer.append(
        "events.ndjson",
        `${canonicalJson({ schema: "assay.runner.event.v0", run_id: "run_001", seq: 1, type: "run_finished", exit_code: null, signal: 9, success: false, window_elapsed_ms: 1200 })}\n`,
      );
      await writer.commit();
    }
    const summary = await inspectArchive(outputPath);
    expect({
      runId: summary.runId,
      command: summary.command,
      exitCode: summary.exitCode,
      signal: summary.signal,
      success: summary.success,
      elapsedMs: summary.elapsedMs,
      surface: summary.surface,
      redaction: summary.redaction,
      notes: summary.notes,
    }).toEqual({
      runId: "run_001",
      command: ["sleep", "9"],
      exitCode: null,
      signal: 9,
      success: false,
      elapsedMs: 1200,
      surface: { filesystem_paths: 2, network_endpoints: 0, process_execs: 1, mcp_tools: 0, policy_decisions: 0 },
      redaction,
      notes: ["n1"],
    });
  });
});
