import { canonicalJson, type JsonValue } from "../evidence/index.ts";
import type { ArchiveFacts } from "./archive-facts.ts";
import { MAX_STATEMENT_BYTES, MONITOR_TYPE_PREFIX, STATEMENT_TYPE, type RuntimeTraceType } from "./constants.ts";
import { AttestInputError } from "./errors.ts";
import { buildMonitorLog } from "./monitor-log.ts";
import type { MonitoredProcess } from "./monitored-process.ts";
import { buildObservationExtension } from "./observation-extension.ts";
import { buildTracePolicy } from "./trace-policy.ts";

/** What a statement is built from besides the archive. */
export interface StatementOptions {
  readonly predicateType: RuntimeTraceType;
  /** This tool's version, for `monitor.type`. */
  readonly toolVersion: string;
  readonly monitoredProcess: MonitoredProcess;
}

/** A built statement: the value and its exact bytes (compact JSON, no trailing newline). */
export interface BuiltStatement {
  readonly statement: { readonly predicate: Record<string, unknown> } & Record<string, unknown>;
  readonly bytes: Uint8Array;
}

/**
 * Builds the in-toto Statement v1 with a runtime-trace predicate for an archive. Pure: the same
 * facts and options give the same bytes (no clock; the archive records no wall-clock time, so
 * `metadata` is left out). Throws AttestInputError if the statement would pass MAX_STATEMENT_BYTES.
 */
export function buildStatement(facts: ArchiveFacts, options: StatementOptions): BuiltStatement {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [
      { name: facts.archiveName, digest: { sha256: facts.archiveSha256 }, mediaType: "application/gzip" },
      { name: "manifest.json", digest: { sha256: facts.manifestSha256 }, annotations: { archive: facts.archiveName, runId: facts.runId } },
    ],
    predicateType: options.predicateType,
    predicate: buildPredicate(facts, options),
  };
  const bytes = ENCODER.encode(canonicalJson(statement));
  if (bytes.length > MAX_STATEMENT_BYTES) {
    throw new AttestInputError(
      "STATEMENT_TOO_LARGE",
      facts.archiveName,
      `${facts.archiveName}: the statement would take ${bytes.length} bytes, over the bound of ${MAX_STATEMENT_BYTES}`,
    );
  }
  return { statement, bytes };
}

/** Builds the runtime-trace predicate alone (what `actions/attest` takes as `predicate-path`). */
export function buildPredicate(facts: ArchiveFacts, options: StatementOptions): Record<string, unknown> {
  return {
    monitor: { type: `${MONITOR_TYPE_PREFIX}${options.toolVersion}`, tracePolicy: buildTracePolicy(facts.health) },
    monitoredProcess: { ...options.monitoredProcess },
    monitorLog: buildMonitorLog(facts.kernel, {
      archiveName: facts.archiveName,
      archiveSha256: facts.archiveSha256,
      kernelLayerSha256: facts.memberSha256.get("layers/kernel.ndjson") ?? "",
    }),
    assayRunnerObservation: buildObservationExtension(facts.health),
    assayRunnerRun: runOf(facts),
  };
}

// --- internal ---

const ENCODER = new TextEncoder();

function runOf(facts: ArchiveFacts): Record<string, JsonValue> {
  const finished = facts.runFinished;
  return {
    runId: facts.runId,
    manifestDigest: `sha256:${facts.manifestSha256}`,
    exitCode: finished?.exit_code ?? null,
    signal: finished?.signal ?? null,
    success: finished?.success ?? null,
    elapsedMs: finished?.window_elapsed_ms ?? null,
  };
}
