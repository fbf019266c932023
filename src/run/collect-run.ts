import { deriveKernelHealth, normalizeKernelRecords, type CaptureLoss, type CaptureOutcome, type KernelSummary } from "../capture/index.ts";
import { DnsObserver } from "../egress/index.ts";
import type { CorrelationReport, PolicyEvent } from "../schema/index.ts";
import { collectSurfaceSets } from "./capability-surface.ts";
import { buildCorrelationReport } from "./correlation.ts";
import { dnsCaptureNote, withDnsRows } from "./dns-evidence.ts";
import type { RunResult, Supervised } from "./execute-run.ts";
import { finishArchive } from "./finish-archive.ts";
import { encodePolicyRow } from "./ingest-policy.ts";
import { encodeSdkRow } from "./ingest-sdk.ts";
import { readLayerLogs, type LayerLogs } from "./layer-logs.ts";
import type { KernelHealthPart } from "./observation-health.ts";
import { runFinishedLine } from "./run-events.ts";
import { exitCodeOf, runnerNotes } from "./run-outcome.ts";

// The two phases after the workload (§3): collect (kernel, policy and SDK layers, correlation) and
// seal (health, redaction sweep, atomic archive write). `executeRun` loads this module once the
// workload has ended, so none of it is loaded before the workload starts.

/** Collects every layer of a supervised run and writes its archive. */
export async function collectAndSeal(supervised: Supervised): Promise<RunResult> {
  return await seal(await collect(supervised));
}

// --- internal ---

/** The collect phase's result: every layer appended, the correlation built, the notes gathered. */
interface Collected extends Supervised {
  readonly kernel: KernelLayer | undefined;
  readonly logs: LayerLogs;
  readonly redactedPolicy: readonly PolicyEvent[];
  readonly correlation: CorrelationReport;
  readonly extraNotes: readonly string[];
  readonly collectMs: number;
}

interface KernelLayer {
  readonly summary: KernelSummary;
  readonly health: KernelHealthPart;
  readonly notes: readonly string[];
}

async function collect(supervised: Supervised): Promise<Collected> {
  const { spec, io, session, writer, redaction, outcome, clock, abilities } = supervised;
  io.onProgress?.({ level: "info", message: "collecting kernel rows, policy and SDK layers" });
  // Kernel layer: the capture stops once the session is empty, then rows stream into the spool.
  const captured = await supervised.capture.stop(spec.kernelDrainMs);
  const kernel = abilities.capturesKernel ? await collectKernelLayer(supervised, captured) : undefined;
  const extraNotes = [...(kernel?.notes ?? []), ...supervised.captureFallbacks];
  await session?.close();

  // Policy before SDK: the SDK cross-check reads the policy bindings (§3 phase 8).
  const logs = readLayerLogs(spec, outcome.interruption !== undefined);
  for (const warning of logs.warnings) extraNotes.push(warning);
  // The surface's tools and decisions come from the redacted rows, so `verify` derives the same
  // `decision:tool` values from the policy layer (a secret spanning the joined pair would not).
  const redactedPolicy = (logs.policy ?? []).map((event) => {
    const row = encodePolicyRow(event);
    const line = redaction.redactLine(row);
    writer.append("layers/policy.ndjson", line);
    return line === row ? event : (JSON.parse(line) as PolicyEvent);
  });
  for (const event of logs.sdk ?? []) writer.append("layers/sdk.ndjson", redaction.redactLine(encodeSdkRow(event)));
  const correlation = buildCorrelationReport({
    runId: spec.runId,
    policy: logs.policy ?? [],
    sdk: logs.sdk ?? [],
    kernelEventCount: kernel?.summary.rowCount ?? 0,
    sessionCgroupId: abilities.capturesKernel ? session?.id : undefined,
  });
  writer.append("events.ndjson", redaction.redactLine(supervised.startedLine));
  writer.append("events.ndjson", redaction.redactLine(runFinishedLine({ runId: spec.runId, end: outcome.end, elapsedMs: performance.now() - clock })));
  extraNotes.push(...runnerNotes(spec, outcome.interruption, outcome.descendantsKilled));
  const collectMs = performance.now() - clock - supervised.workloadMs;
  return { ...supervised, kernel, logs, redactedPolicy, correlation, extraNotes, collectMs };
}

// The kernel rows of a capturing backend (and egress's), redacted row by row into the spool, with
// the kernel's part of the health and its notes.
async function collectKernelLayer(supervised: Supervised, captured: CaptureOutcome): Promise<KernelLayer> {
  const { spec, redaction, writer, egress, session } = supervised;
  // A backend that sees the session's DNS gives raw messages in its record stream; the observer
  // parses them (defensively) into DNS rows, in place.
  const observer = captured.dns === undefined ? undefined : new DnsObserver("capture");
  const captureRecords = observer === undefined ? captured.records : withDnsRows(captured.records, observer);
  const records = egress === undefined || session === undefined ? captureRecords : followedBy(captureRecords, egress.records(session.id));
  const dnsLines: string[] = [];
  // Each member is redacted as it is produced: no unredacted byte reaches the spool.
  const summary = await normalizeKernelRecords(
    records,
    spec.runId,
    (line) => {
      const redacted = redaction.redactLine(line);
      if (observer !== undefined && redacted.includes('"kind":"dns_')) dnsLines.push(redacted);
      writer.append("layers/kernel.ndjson", redacted);
    },
    { keepAllOpens: spec.keepAllOpens },
  );
  const cgroupCorrelation = captured.streamComplete ? "clean" : "partial";
  const derived = deriveKernelHealth({ loss: withStartSeen(captured.loss, summary), summary, cgroupCorrelation, backend: supervised.capture.version });
  const notes = [derived.backendNote, ...derived.scopeNotes];
  if (observer !== undefined && captured.dns !== undefined) {
    // Packets the kernel side could not deliver are names we did not read: counted with the unparseable.
    const counters = { ...observer.counters, unparseable: observer.counters.unparseable + captured.dns.dropped };
    notes.push(dnsCaptureNote(dnsLines, [...summary.networkEndpoints], counters));
  }
  if (egress !== undefined) notes.push(...egress.notes);
  return { summary, health: { ...derived, cgroup_correlation: cgroupCorrelation }, notes };
}

// The workload started (a failed start never reaches here), so a capture that works holds at least
// its first exec. None at all means the capture missed the session, whatever the cause: the layer
// then names it as unobserved and is never complete.
function withStartSeen(loss: CaptureLoss, summary: KernelSummary): CaptureLoss {
  if (summary.processExecs.size > 0) return loss;
  return { ...loss, unobserved: { ...loss.unobserved, workload_exec: 1 } };
}

async function seal(collected: Collected): Promise<RunResult> {
  const { spec, io, outcome, session, scratch } = collected;
  const archiveStart = performance.now();
  io.onProgress?.({ level: "info", message: `redacting and writing ${collected.archivePath}` });
  const { health, committed } = await finishArchive(collected.writer, {
    spec,
    redaction: collected.redaction,
    sets: collectSurfaceSets({ kernel: collected.kernel?.summary, policy: collected.redactedPolicy }),
    correlation: collected.correlation,
    kernelHealth: collected.kernel?.health,
    logs: collected.logs,
    extraNotes: collected.extraNotes,
    platform: io.platform,
    inspectScratch: io.inspectScratch ? () => io.inspectScratch?.(scratch.path) : undefined,
  });
  const archiveMs = performance.now() - archiveStart;
  return {
    runId: spec.runId,
    archivePath: committed.outputPath,
    manifestDigest: committed.manifestDigest,
    exitCode: exitCodeOf(outcome.end, outcome.interruption),
    workload: outcome.end,
    interruption: outcome.interruption,
    captureBackend: collected.capture.version,
    sessionCgroupId: session?.id,
    health,
    correlation: collected.correlation,
    timings: {
      prepare_ms: round(collected.prepareMs),
      workload_ms: round(collected.workloadMs),
      collect_ms: round(collected.collectMs),
      archive_ms: round(archiveMs),
      total_ms: round(performance.now() - collected.t0),
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

async function* followedBy<T>(first: AsyncIterable<T>, then: Iterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* then;
}
