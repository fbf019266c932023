// Builds review inputs: evidence values for pure tests, and archives written with the project's own
// archive writer (a kernel layer with open, exec and connect rows) for tests that read archives.
import { join } from "node:path";
import { ArchiveWriter, canonicalJson, sortUnique } from "../../src/evidence/index.ts";
import { compileRulesOrThrow } from "../../src/projection/index.ts";
import { PathProjector, projectRun, type ProjectedRun, type RunEvidence } from "../../src/review/index.ts";
import type { ProjectionRules } from "../../src/schema/index.ts";
import { kernelOnlyHealth } from "../fixtures/health.ts";

/** What one synthetic run did. */
export interface RunShape {
  readonly runId: string;
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
  readonly execs?: readonly string[];
  readonly endpoints?: readonly string[];
  /** Endpoint → the name a DNS answer gave for its address. */
  readonly names?: Readonly<Record<string, string>>;
  readonly kernelLayer?: "complete" | "partial_ringbuf_drops" | "absent";
}

/** Default rules of review (the built-in heuristics), parsed. */
export const BUILTIN_RULES: ProjectionRules = {
  schema: "assay.runner.projection_rules.v0",
  workload: { input: [], output: [], scratch: [] },
  workdir_prefixes: [],
  paths: [],
  heuristics: ["builtin"],
  network: { endpoints: {}, cidrs: [], hosts: {} },
  sample_limit: 5,
};

/** A health document for a kernel layer state. */
export function healthOf(runId: string, kernelLayer: RunShape["kernelLayer"] = "complete"): Record<string, unknown> {
  return kernelOnlyHealth(runId, { kernel_layer: kernelLayer, ringbuf_drops: kernelLayer === "partial_ringbuf_drops" ? 3 : 0 });
}

/** Evidence of a synthetic run, as readRunEvidence would return it. */
export function evidenceOf(shape: RunShape): RunEvidence {
  const digest = new Bun.CryptoHasher("sha256").update(shape.runId).digest("hex");
  const health = healthOf(shape.runId, shape.kernelLayer);
  return {
    source: `${shape.runId}.tar.gz`,
    runId: shape.runId,
    manifestDigest: `sha256:${digest}`,
    paths: sortUnique([...(shape.reads ?? []), ...(shape.writes ?? [])]),
    writes: new Set(shape.writes ?? []),
    execs: sortUnique(shape.execs ?? []),
    endpoints: sortUnique(shape.endpoints ?? []),
    names: new Map(Object.entries(shape.names ?? {}).map(([endpoint, host]) => [endpoint, [{ host, source: "resolved" as const }]])),
    health: undefined,
    healthJson: health,
  };
}

/** Projects synthetic runs with `rules` (default: the built-in heuristics). */
export function projected(shapes: readonly RunShape[], rules: ProjectionRules = BUILTIN_RULES): ProjectedRun[] {
  const projector = new PathProjector(compileRulesOrThrow(rules));
  return shapes.map((s) => projectRun(evidenceOf(s), projector));
}

/** Writes `<dir>/<runId>.tar.gz` with the project's archive writer; returns its path. */
export async function writeShapeArchive(dir: string, shape: RunShape): Promise<string> {
  const outputPath = join(dir, `${shape.runId}.tar.gz`);
  const runId = shape.runId;
  await using writer = await ArchiveWriter.create({ outputPath, runId });
  const rows: Record<string, unknown>[] = [];
  const row = (fields: Record<string, unknown>) => rows.push({ schema: "assay.runner.kernel_event.v0", run_id: runId, seq: rows.length, pid: 100, ...fields });
  for (const exec of shape.execs ?? []) row({ event_type: 4, kind: "exec", value: exec, argv: [exec, "--from-test"] });
  for (const path of shape.reads ?? [])
    row({ event_type: 1, kind: "openat", value: path, flags: 0, mode: 0, return_value: 3, access_mode: "read", status: "success" });
  for (const path of shape.writes ?? [])
    row({
      event_type: 1,
      kind: "openat",
      value: path,
      flags: 577,
      mode: 438,
      return_value: 3,
      access_mode: "write",
      operation_flags: ["create", "truncate"],
      status: "success",
    });
  for (const endpoint of shape.endpoints ?? []) {
    const at = endpoint.lastIndexOf(":");
    row({ event_type: 2, kind: "connect", value: endpoint, network_destination: endpoint.slice(0, at), network_port: Number(endpoint.slice(at + 1)) });
  }
  writer.set(
    "capability-surface.json",
    canonicalJson({
      schema: "assay.runner.capability_surface.v0",
      run_id: runId,
      filesystem_paths: sortUnique([...(shape.reads ?? []), ...(shape.writes ?? [])]),
      network_endpoints: sortUnique(shape.endpoints ?? []),
      process_execs: sortUnique(shape.execs ?? []),
      mcp_tools: [],
      policy_decisions: [],
    }),
  );
  writer.set(
    "correlation-report.json",
    canonicalJson({ schema: "assay.runner.correlation_report.v0", run_id: runId, status: "clean", bindings: [], ambiguities: [] }),
  );
  writer.set("observation-health.json", canonicalJson(healthOf(runId, shape.kernelLayer)));
  writer.append("layers/kernel.ndjson", rows.map((r) => `${canonicalJson(r)}\n`).join(""));
  await writer.commit();
  return outputPath;
}
