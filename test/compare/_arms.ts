import { createHash } from "node:crypto";
import { observeArchive, type ArchiveObservation } from "../../src/compare/index.ts";

// Builds drift observations from in-memory members, so drift tests need no files.

/** What a synthetic arm carries; every field optional except the surface lists you care about. */
export interface ArmSpec {
  readonly filesystem_paths?: string[];
  readonly network_endpoints?: string[];
  readonly process_execs?: string[];
  readonly mcp_tools?: string[];
  readonly sdk?: Record<string, unknown>[];
  readonly kernel?: Record<string, unknown>[];
  readonly health?: Record<string, unknown>;
}

/** Observes a synthetic arm named `path`. */
export function arm(path: string, spec: ArmSpec = {}): ArchiveObservation {
  const enc = new TextEncoder();
  const members = new Map<string, Uint8Array>();
  members.set("manifest.json", enc.encode(JSON.stringify({ schema: "assay.runner.archive_manifest.v0", run_id: `run_${path}` })));
  members.set(
    "capability-surface.json",
    enc.encode(
      JSON.stringify({
        schema: "assay.runner.capability_surface.v0",
        run_id: `run_${path}`,
        filesystem_paths: spec.filesystem_paths ?? [],
        network_endpoints: spec.network_endpoints ?? [],
        process_execs: spec.process_execs ?? [],
        mcp_tools: spec.mcp_tools ?? [],
        policy_decisions: [],
      }),
    ),
  );
  if (spec.health) members.set("observation-health.json", enc.encode(JSON.stringify(spec.health)));
  if (spec.sdk) members.set("layers/sdk.ndjson", enc.encode(spec.sdk.map((e) => `${JSON.stringify(e)}\n`).join("")));
  if (spec.kernel) members.set("layers/kernel.ndjson", enc.encode(spec.kernel.map((e) => `${JSON.stringify(e)}\n`).join("")));
  const observed = observeArchive(
    path,
    (name) => members.get(name),
    (bytes) => createHash("sha256").update(bytes).digest("hex"),
  );
  if (!observed.ok) throw new Error(observed.issues[0].message);
  return observed.value;
}

/** SDK rows starting the given tools in seq order. */
export function started(...tools: string[]): Record<string, unknown>[] {
  return tools.map((tool, seq) => ({
    schema: "assay.runner.sdk_event.v0",
    seq,
    event_type: "tool_call_started",
    tool_call_id: `tc_${seq}`,
    tool,
    source: "rt",
  }));
}
