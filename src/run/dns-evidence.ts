import type { KernelRecord } from "../capture/index.ts";
import type { DnsObserver } from "../egress/index.ts";
import { dnsNoteOf, dnsRowsOf, formatDnsNote, type DnsCounters, type DnsObservation, type NameRow } from "../schema/index.ts";

/**
 * Turns the DNS observations of a run (from the stub resolver or the capture engine) into
 * kernel records for the normalizer, in the order given (they interleave with the other records
 * by arrival, so a name's answer row precedes the connect that used it).
 */
export function dnsKernelRecords(observations: Iterable<DnsObservation>): KernelRecord[] {
  const records: KernelRecord[] = [];
  for (const observation of observations) {
    for (const row of dnsRowsOf(observation)) records.push({ pid: row.pid, eventType: row.eventType, value: row.value, dnsTail: row.tail });
  }
  return records;
}

/** The `dns_capture:` health note for written kernel row lines and the surface's endpoints (appended after upstream's notes). */
export function dnsCaptureNote(kernelLines: Iterable<string>, endpoints: readonly string[], counters: DnsCounters): string {
  const rows: (NameRow & { network_port?: number })[] = [];
  for (const line of kernelLines) if (line.includes('"kind":"dns_')) rows.push(JSON.parse(line) as NameRow & { network_port?: number });
  return formatDnsNote(dnsNoteOf(rows, endpoints, counters));
}

/**
 * Replaces the capture engine's raw DNS records (`dnsPayload`) in a record stream by the rows
 * their parsed messages give, in place, so seq order keeps "answer before the connect that used
 * it". A packet that does not parse writes no row and is counted by the observer.
 */
export async function* withDnsRows(records: AsyncIterable<KernelRecord>, observer: DnsObserver): AsyncIterable<KernelRecord> {
  for await (const record of records) {
    const payload = record.dnsPayload;
    if (payload === undefined) {
      yield record;
      continue;
    }
    const before = observer.observations.length;
    const context = {
      pid: record.pid,
      ...(payload.resolver === undefined ? {} : { resolver: payload.resolver }),
      ...(payload.resolverPort === undefined ? {} : { resolverPort: payload.resolverPort }),
    };
    if (payload.direction === "query") observer.query(payload.bytes, context);
    else observer.answer(payload.bytes, { pid: record.pid });
    yield* dnsKernelRecords(observer.observations.slice(before));
  }
}
