import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { deriveEndpointNames, dnsRowsOf, KernelEventSchema } from "../../src/schema/index.ts";

const base = { schema: "assay.runner.kernel_event.v0", run_id: "run_1", seq: 0, pid: 0 };

function problems(row: Record<string, unknown>): string[] {
  const result = v.safeParse(KernelEventSchema, { ...base, ...row });
  return result.success ? [] : result.issues.map((i) => `${v.getDotPath(i)}: ${i.message}`);
}

describe("kernel rows of DNS kinds", () => {
  test("accept the rows dnsRowsOf writes, for an address answer, a CNAME chain and an NXDOMAIN", () => {
    const rows = dnsRowsOf({
      direction: "answer",
      source: "capture",
      pid: 7,
      name: "www.example.test",
      type: "A",
      rcode: "NOERROR",
      answers: [{ address: "2001:db8::2", ttl: 5, cnames: ["edge.test"] }],
    }).concat(dnsRowsOf({ direction: "answer", source: "capture", pid: 7, name: "gone.test", type: "AAAA", rcode: "NXDOMAIN", answers: [] }));
    const parsed = rows.map((r) =>
      JSON.parse(
        `{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":0,"pid":${r.pid},"event_type":${r.eventType},"kind":"dns_answer","value":${JSON.stringify(r.value)}${r.tail}}`,
      ),
    );
    expect(parsed.map((row) => problems(row))).toEqual([[], []]);
    expect(parsed.map((row) => [row.dns_type, row.dns_cnames ?? null, row.dns_rcode ?? null])).toEqual([
      ["AAAA", ["edge.test"], null],
      ["AAAA", null, "NXDOMAIN"],
    ]);
  });

  test("reject DNS fields on other kinds, and DNS rows missing what they must say", () => {
    expect({
      onConnect: problems({ event_type: 2, kind: "connect", value: "1.2.3.4:443", dns_source: "stub" }),
      noTtl: problems({ event_type: 31, kind: "dns_answer", value: "a.test", network_destination: "1.2.3.4", dns_type: "A", dns_source: "stub" }),
      wrongFamily: problems({
        event_type: 31,
        kind: "dns_answer",
        value: "a.test",
        network_destination: "1.2.3.4",
        dns_type: "AAAA",
        dns_ttl: 1,
        dns_source: "stub",
      }),
      queryWithTtl: problems({ event_type: 30, kind: "dns_query", value: "a.test", dns_type: "A", dns_ttl: 3, dns_source: "capture" }),
      notAnAddress: problems({
        event_type: 31,
        kind: "dns_answer",
        value: "a.test",
        network_destination: "a.test",
        dns_type: "A",
        dns_ttl: 1,
        dns_source: "stub",
      }),
      emptyChain: problems({
        event_type: 31,
        kind: "dns_answer",
        value: "a.test",
        network_destination: "1.2.3.4",
        dns_type: "A",
        dns_ttl: 1,
        dns_cnames: [],
        dns_source: "stub",
      }),
    }).toEqual({
      onConnect: ['dns_source: kernel_event.v0 row: dns_source is only valid on dns_query and dns_answer rows, not on kind "connect"'],
      noTtl: ["dns_ttl: kernel_event.v0 row: dns_answer requires dns_ttl (an address row carries its TTL)"],
      wrongFamily: ['dns_type: kernel_event.v0 row: dns_answer for address 1.2.3.4 must have dns_type "A"'],
      queryWithTtl: ["dns_ttl: kernel_event.v0 row: dns_query never carries dns_ttl"],
      notAnAddress: ['network_destination: kernel_event.v0 row: dns_answer network_destination must be the answered address, received "a.test"'],
      emptyChain: ["dns_cnames: expected a non-empty list (dns_cnames is omitted when empty)"],
    });
  });
});

describe("deriveEndpointNames", () => {
  test("names resolved addresses (IPv4-mapped too, with the CNAME chain), declared host endpoints, and nothing else", () => {
    const rows = [
      { kind: "dns_answer", value: "www.example.test", network_destination: "127.0.0.3", dns_cnames: ["edge.example.test"] },
      { kind: "dns_answer", value: "api.example.test", network_destination: "2001:db8::2" },
      { kind: "dns_query", value: "ignored.test", network_destination: "203.0.113.1" },
    ];
    const endpoints = ["127.0.0.3:443", "[::ffff:127.0.0.3]:80", "[2001:DB8::2]:443", "Registry.Example.test:443", "203.0.113.1:443"];
    expect(Object.fromEntries(deriveEndpointNames(rows, endpoints))).toEqual({
      "127.0.0.3:443": [{ host: "www.example.test", source: "resolved", via: ["edge.example.test"] }],
      "[::ffff:127.0.0.3]:80": [{ host: "www.example.test", source: "resolved", via: ["edge.example.test"] }],
      "[2001:DB8::2]:443": [{ host: "api.example.test", source: "resolved" }],
      "Registry.Example.test:443": [{ host: "registry.example.test", source: "declared" }],
    });
  });
});

describe("egress_policy note", () => {
  test("round-trips and flags a malformed or repeated note", async () => {
    const { checkEgressNote, formatEgressNote, parseEgressNote } = await import("../../src/schema/index.ts");
    const note = formatEgressNote("block", `sha256:${"a".repeat(64)}`);
    expect(parseEgressNote(note)).toEqual({ mode: "block", digest: `sha256:${"a".repeat(64)}` });
    expect(checkEgressNote([note], { file: "x" })).toEqual([]);
    expect(checkEgressNote(["egress_policy: mode=deny digest=sha256:00"], { file: "x" }).map((i) => i.code)).toEqual(["EGRESS_NOTE_MALFORMED"]);
    expect(checkEgressNote([note, note], { file: "x" }).map((i) => i.code)).toEqual(["EGRESS_NOTE_REPEATED"]);
  });
});
