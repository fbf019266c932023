import { canonicalJson, type ArchiveWriter, type CommittedArchive } from "../evidence/index.ts";
import type { CorrelationReport } from "../schema/index.ts";
import { buildCapabilitySurface, type collectSurfaceSets } from "./capability-surface.ts";
import type { LayerLogs } from "./layer-logs.ts";
import { buildObservationHealth, type KernelHealthPart, type ObservationHealthDocument } from "./observation-health.ts";
import { sweepArchiveMembers, type PreparedRedaction } from "./redact-run.ts";
import type { RunSpec } from "./run-spec.ts";

/** What the seal phase puts into the archive besides the NDJSON layers already spooled. */
export interface ArchiveParts {
  readonly spec: RunSpec;
  readonly redaction: PreparedRedaction;
  readonly sets: ReturnType<typeof collectSurfaceSets>;
  readonly correlation: CorrelationReport;
  readonly kernelHealth: KernelHealthPart | undefined;
  readonly logs: LayerLogs;
  readonly extraNotes: readonly string[];
  readonly platform: string;
  readonly inspectScratch: (() => void | Promise<void>) | undefined;
}

/**
 * Redacts and writes the JSON members (surface, correlation, health), sweeps every member
 * fail-closed, and commits the archive.
 */
export async function finishArchive(writer: ArchiveWriter, parts: ArchiveParts): Promise<{ health: ObservationHealthDocument; committed: CommittedArchive }> {
  const { spec, redaction } = parts;
  // The NDJSON members were redacted row by row as they were appended; the surface, our notes and
  // the correlation report are redacted here, in memory, before they are written (§3.1).
  // deviation: upstream rewrites neither notes nor the correlation report, and only sweeps them.
  const surfaceSets = redaction.redactSurface(parts.sets);
  const extraNotes = parts.extraNotes.map((note) => redaction.redactText("notes", note));
  const correlation = redaction.redactLine(canonicalJson(parts.correlation));
  const health = buildObservationHealth({
    runId: spec.runId,
    platform: parts.platform,
    kernel: parts.kernelHealth,
    policyEvents: parts.logs.policy?.length,
    sdk: parts.logs.sdk ? { events: parts.logs.sdk.length, toolCalls: distinctToolCalls(parts.logs.sdk) } : undefined,
    redaction: redaction.block(),
    extraNotes,
  });
  writer.set("capability-surface.json", canonicalJson(buildCapabilitySurface(spec.runId, surfaceSets)));
  writer.set("correlation-report.json", correlation);
  writer.set("observation-health.json", canonicalJson(health));
  await sweepArchiveMembers(writer, redaction);
  await parts.inspectScratch?.();
  return { health, committed: await writer.commit() };
}

function distinctToolCalls(events: ReadonlyArray<{ readonly tool_call_id: string | null }>): number {
  return new Set(events.flatMap((e) => (e.tool_call_id === null ? [] : [e.tool_call_id]))).size;
}
