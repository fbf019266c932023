import { join } from "node:path";
import { ArchiveWriter, canonicalJson, sortUnique } from "../../src/evidence/index.ts";
import { kernelOnlyHealth } from "../fixtures/health.ts";

// Writes archives with our own evidence writer, so e2e tests compare what `run` would produce.

/** The surface lists of one synthetic run. */
export interface RunSurface {
  readonly filesystem_paths?: string[];
  readonly network_endpoints?: string[];
  readonly mcp_tools?: string[];
  readonly policy_decisions?: string[];
}

/**
 * Writes `<dir>/<runId>.tar.gz` holding a clean kernel+policy+SDK run with the given surface (or,
 * with `toolCallId` null, a clean run without an agent: kernel only, no policy or SDK layer, no
 * bindings); returns its path.
 */
export async function writeRunArchive(dir: string, runId: string, surface: RunSurface, toolCallId: string | null = "tc_001"): Promise<string> {
  const agent = toolCallId !== null;
  const outputPath = join(dir, `${runId}.tar.gz`);
  await using writer = await ArchiveWriter.create({ outputPath, runId });
  writer.set(
    "capability-surface.json",
    canonicalJson({
      schema: "assay.runner.capability_surface.v0",
      run_id: runId,
      // Sorted and distinct, as run writes them (the writer refuses a surface that is not).
      filesystem_paths: sortUnique(surface.filesystem_paths ?? []),
      network_endpoints: sortUnique(surface.network_endpoints ?? []),
      process_execs: [],
      mcp_tools: sortUnique(surface.mcp_tools ?? (agent ? ["read_file"] : [])),
      policy_decisions: sortUnique(surface.policy_decisions ?? (agent ? ["allow:read_file"] : [])),
    }),
  );
  writer.set(
    "correlation-report.json",
    canonicalJson({
      schema: "assay.runner.correlation_report.v0",
      run_id: runId,
      status: "clean",
      bindings: agent
        ? [{ tool_call_id: toolCallId, policy_decision: "allow", kernel_event_count: 1, window: { start: "run_started", end: "run_finished" } }]
        : [],
      ambiguities: [],
    }),
  );
  writer.set(
    "observation-health.json",
    canonicalJson(kernelOnlyHealth(runId, { policy_layer: agent ? "present" : "absent", sdk_layer: agent ? "self_reported" : "absent" })),
  );
  if (agent)
    writer.append(
      "layers/sdk.ndjson",
      `${canonicalJson({ schema: "assay.runner.sdk_event.v0", run_id: runId, seq: 0, event_type: "tool_call_started", source: "openai-agents", sdk_name: "@openai/agents", sdk_version: "0.11.4", tool_call_id: toolCallId, tool: "read_file" })}\n`,
    );
  await writer.commit();
  return outputPath;
}
