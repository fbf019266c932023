// Writes an archive whose kernel layer holds DNS rows, built the way `run` builds one: DNS
// observations → kernel records → the normalizer → rows, surface, and the dns_capture note.
import { join } from "node:path";
import { normalizeKernelRecords, recordStream, type KernelRecord } from "../../src/capture/index.ts";
import { ArchiveWriter, canonicalJson, sortUnique } from "../../src/evidence/index.ts";
import { dnsCaptureNote, dnsKernelRecords, runFinishedLine, runStartedLine } from "../../src/run/index.ts";
import type { DnsCounters, DnsObservation } from "../../src/schema/index.ts";
import { kernelOnlyHealth } from "../fixtures/health.ts";

/** One step of the synthetic run: a DNS observation, or a connect/sendto to an endpoint. */
export type Step = DnsObservation | { readonly connect: string } | { readonly sendto: string };

/** The run most tests use: resolve api.example.test → 127.0.0.2, connect to it and to an unnamed address. */
export const RESOLVE_THEN_CONNECT: readonly Step[] = [
  { sendto: "127.0.0.53:53" },
  { direction: "query", source: "stub", pid: 0, name: "api.example.test", type: "A", resolver: "127.0.0.53", resolver_port: 53 },
  {
    direction: "answer",
    source: "stub",
    pid: 0,
    name: "api.example.test",
    type: "A",
    rcode: "NOERROR",
    answers: [{ address: "127.0.0.2", ttl: 30, cnames: [] }],
  },
  { connect: "127.0.0.2:443" },
  { connect: "203.0.113.80:443" },
];

/** Writes `<dir>/<runId>.tar.gz`; `note` may replace the computed dns_capture note (to test verify). */
export async function writeNamedArchive(
  dir: string,
  runId: string,
  steps: readonly Step[] = RESOLVE_THEN_CONNECT,
  counters: DnsCounters = { unparseable: 0, answersBeforeArmed: 0 },
  note?: (computed: string) => string,
): Promise<string> {
  const records: KernelRecord[] = [];
  for (const step of steps) {
    if ("connect" in step) records.push({ pid: 100, eventType: 2, value: step.connect });
    else if ("sendto" in step) records.push({ pid: 100, eventType: 6, value: step.sendto });
    else records.push(...dnsKernelRecords([step]));
  }
  const lines: string[] = [];
  const summary = await normalizeKernelRecords(recordStream(records), runId, (line) => void lines.push(line));
  const endpoints = sortUnique([...summary.networkEndpoints]);
  const computed = dnsCaptureNote(lines, endpoints, counters);
  const outputPath = join(dir, `${runId}.tar.gz`);
  await using writer = await ArchiveWriter.create({ outputPath, runId });
  writer.set(
    "capability-surface.json",
    canonicalJson({
      schema: "assay.runner.capability_surface.v0",
      run_id: runId,
      filesystem_paths: [],
      network_endpoints: endpoints,
      process_execs: [],
      mcp_tools: [],
      policy_decisions: [],
    }),
  );
  writer.set(
    "correlation-report.json",
    canonicalJson({ schema: "assay.runner.correlation_report.v0", run_id: runId, status: "clean", bindings: [], ambiguities: [] }),
  );
  writer.set(
    "observation-health.json",
    canonicalJson(
      kernelOnlyHealth(runId, {
        network_protocol_coverage: "connect_and_datagram_peer_observed",
        notes: [
          `s2_kernel_capture: monitor_events=${lines.length} ringbuf_drops=0 network_protocol_coverage=connect_and_datagram_peer_observed network_endpoint_claim_scope=diagnostic_only`,
          note ? note(computed) : computed,
        ],
      }),
    ),
  );
  writer.append("events.ndjson", runStartedLine({ runId, agentShim: "none", command: ["workload"], env: {} }));
  writer.append("events.ndjson", runFinishedLine({ runId, end: { exitCode: 0, signal: null }, elapsedMs: 5 }));
  for (const line of lines) writer.append("layers/kernel.ndjson", line);
  await writer.commit();
  return outputPath;
}
