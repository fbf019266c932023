import { describe, expect, test } from "bun:test";
import { normalizeKernelRecords, recordStream, type KernelRecord } from "../../src/capture/index.ts";
import { buildDnsQuery, buildDnsResponse, DNS_TYPE, DnsObserver } from "../../src/egress/index.ts";
import { dnsCaptureNote, withDnsRows } from "../../src/run/index.ts";

function bytes(result: { ok: true; value: Uint8Array } | { ok: false }): Uint8Array {
  if (!result.ok) throw new Error("builder failed");
  return result.value;
}

describe("withDnsRows", () => {
  test("turns the capture engine's raw DNS records into rows in place and counts what does not parse", async () => {
    const question = { name: "api.example.test", type: DNS_TYPE.A, class: 1 };
    const records: KernelRecord[] = [
      { pid: 7, eventType: 6, value: "127.0.0.53:53" },
      {
        pid: 7,
        eventType: 30,
        value: null,
        dnsPayload: {
          direction: "query",
          bytes: bytes(buildDnsQuery({ id: 5, name: "api.example.test", type: DNS_TYPE.A })),
          resolver: "127.0.0.53",
          resolverPort: 53,
        },
      },
      {
        pid: 7,
        eventType: 31,
        value: null,
        dnsPayload: {
          direction: "answer",
          bytes: bytes(buildDnsResponse({ id: 5, question, answers: [{ name: "api.example.test", type: "A", ttl: 60, address: "127.0.0.2" }] })),
        },
      },
      { pid: 7, eventType: 31, value: null, dnsPayload: { direction: "answer", bytes: Uint8Array.of(0, 5, 0x81) } },
      { pid: 7, eventType: 2, value: "127.0.0.2:443" },
    ];
    const observer = new DnsObserver("capture");
    const lines: string[] = [];
    const summary = await normalizeKernelRecords(withDnsRows(recordStream(records), observer), "run_1", (line) => void lines.push(line));
    expect(
      lines.map((l) => {
        const r = JSON.parse(l);
        return `${r.seq} ${r.kind} ${r.value} ${r.network_destination ?? "-"}`;
      }),
    ).toEqual(["0 sendto 127.0.0.53:53 -", "1 dns_query api.example.test 127.0.0.53", "2 dns_answer api.example.test 127.0.0.2", "3 connect 127.0.0.2:443 -"]);
    expect(dnsCaptureNote(lines, [...summary.networkEndpoints].sort(), observer.counters)).toBe(
      "dns_capture: queries=1 answer_rows=1 unparseable=1 answers_before_armed=0 named_endpoints=1/1 names=incomplete",
    );
  });
});
