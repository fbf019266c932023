import { join } from "node:path";
import { ArchiveWriter, canonicalJson } from "../../src/evidence/index.ts";
import { deriveSurfaceSets, type KernelEvent } from "../../src/schema/index.ts";
import { kernelOnlyHealth } from "../fixtures/health.ts";

// Writes archives with kernel rows through our own evidence writer (the one `run` uses), so attest
// tests read what a measured run would leave: a surface derived from the rows, both run events.

/** One observation to put in the kernel layer. */
export type Observation =
  | { readonly kind: "open"; readonly path: string; readonly write?: boolean; readonly failed?: boolean; readonly pid?: number }
  | { readonly kind: "connect" | "sendto"; readonly endpoint: string; readonly pid?: number }
  | { readonly kind: "exec"; readonly path: string; readonly pid?: number };

/** Options of a synthetic kernel archive. */
export interface KernelArchiveOptions {
  readonly runId?: string;
  readonly fileName?: string;
  /** Health fields replacing the clean defaults. */
  readonly health?: Record<string, unknown>;
}

/** Writes `<dir>/<fileName>` holding the observations as kernel rows; returns its path. */
export async function writeKernelArchive(dir: string, observations: readonly Observation[], options: KernelArchiveOptions = {}): Promise<string> {
  const runId = options.runId ?? "run_attest";
  const outputPath = join(dir, options.fileName ?? `${runId}.tar.gz`);
  const rows = observations.map((observation, seq) => kernelRow(runId, seq, observation));
  await using writer = await ArchiveWriter.create({ outputPath, runId });
  // Large layers are appended in slices, as the runner streams them.
  for (let at = 0; at < rows.length; at += 10_000)
    writer.append(
      "layers/kernel.ndjson",
      rows
        .slice(at, at + 10_000)
        .map((row) => `${canonicalJson(row)}\n`)
        .join(""),
    );
  const sets = deriveSurfaceSets(rows as unknown as KernelEvent[], []);
  writer.set("capability-surface.json", canonicalJson({ schema: "assay.runner.capability_surface.v0", run_id: runId, ...sets }));
  writer.set(
    "correlation-report.json",
    canonicalJson({ schema: "assay.runner.correlation_report.v0", run_id: runId, status: "clean", bindings: [], ambiguities: [] }),
  );
  writer.append(
    "events.ndjson",
    `${canonicalJson({ schema: "assay.runner.event.v0", run_id: runId, seq: 0, type: "run_started", agent_shim: "none", command: ["sh", "-c", "work"], env_keys: [], window_elapsed_ms: 0 })}\n` +
      `${canonicalJson({ schema: "assay.runner.event.v0", run_id: runId, seq: 1, type: "run_finished", exit_code: 0, signal: null, success: true, window_elapsed_ms: 1234 })}\n`,
  );
  writer.set(
    "observation-health.json",
    canonicalJson(
      kernelOnlyHealth(runId, {
        redaction: { mode: "shape_and_flag", redacted_count: 0, by_rule: {}, by_field: {}, key_scope: "ephemeral", key_id: "k_test" },
        notes: [
          `s2_kernel_capture: monitor_events=${rows.length} ringbuf_drops=0 network_protocol_coverage=connect_only network_endpoint_claim_scope=diagnostic_only`,
          "capture_backend: ebpf bpftrace v0.17.0",
        ],
        ...options.health,
      }),
    ),
  );
  await writer.commit();
  return outputPath;
}

// --- internal ---

function kernelRow(runId: string, seq: number, observation: Observation): Record<string, unknown> {
  const head = { schema: "assay.runner.kernel_event.v0", run_id: runId, seq, pid: observation.pid ?? 4242 };
  switch (observation.kind) {
    case "open": {
      // O_WRONLY|O_CREAT|O_TRUNC for a write, O_RDONLY|O_CLOEXEC for a read.
      const flags = observation.write ? 577 : 524288;
      const returnValue = observation.failed ? -2 : 3;
      return {
        ...head,
        event_type: 1,
        kind: "openat",
        value: observation.path,
        flags,
        mode: observation.write ? 420 : 0,
        return_value: returnValue,
        access_mode: observation.write ? "write" : "read",
        ...(observation.write ? { operation_flags: ["create", "truncate"] } : {}),
        status: returnValue < 0 ? "error" : "success",
      };
    }
    case "connect":
      return { ...head, event_type: 2, kind: "connect", value: observation.endpoint };
    case "sendto":
      return { ...head, event_type: 6, kind: "sendto", value: observation.endpoint };
    case "exec":
      return { ...head, event_type: 4, kind: "exec", value: observation.path };
  }
}
