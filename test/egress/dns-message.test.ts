import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { DnsObservationSchema } from "../../src/schema/index.ts";
import {
  buildDnsQuery,
  buildDnsResponse,
  DNS_TYPE,
  DnsObserver,
  frameDnsTcp,
  parseDnsMessage,
  parseDnsTcpFrame,
  resolveAnswer,
  splitDnsTcpStream,
  type DnsAnswerSpec,
} from "../../src/egress/index.ts";

const PROBLEM_CODES = new Set([
  "DNS_TRUNCATED",
  "DNS_POINTER_LOOP",
  "DNS_POINTER_FORWARD",
  "DNS_LABEL_TOO_LONG",
  "DNS_NAME_TOO_LONG",
  "DNS_COUNT_OVERSIZED",
  "DNS_BAD_RDATA",
  "DNS_TRAILING_BYTES",
]);

function built<T>(result: { ok: true; value: T } | { ok: false; issues: readonly unknown[] }): T {
  if (!result.ok) throw new Error(`builder failed: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const QUESTION = { name: "api.example.test", type: DNS_TYPE.A, class: 1 };

function header(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
}

function codeOf(bytes: Uint8Array | number[]): string | undefined {
  const parsed = parseDnsMessage(Uint8Array.from(bytes));
  return parsed.ok ? undefined : parsed.issues[0].code;
}

describe("parseDnsMessage", () => {
  test("reads a query the builder wrote: id, flags, question name and type", () => {
    const parsed = parseDnsMessage(built(buildDnsQuery({ id: 0x1234, name: "API.Example.Test", type: DNS_TYPE.AAAA })));
    expect(parsed).toEqual({
      ok: true,
      value: {
        id: 0x1234,
        isResponse: false,
        opcode: 0,
        rcode: 0,
        truncated: false,
        recursionDesired: true,
        questions: [{ name: "api.example.test", type: DNS_TYPE.AAAA, class: 1 }],
        answers: [],
        authorityCount: 0,
        additionalCount: 0,
      },
    });
  });

  test("reads A, AAAA and CNAME answers with their TTLs, through compression pointers", () => {
    const answers: DnsAnswerSpec[] = [
      { name: "api.example.test", type: "CNAME", ttl: 300, target: "edge.cdn.test" },
      { name: "edge.cdn.test", type: "A", ttl: 60, address: "127.0.0.2" },
      { name: "edge.cdn.test", type: "AAAA", ttl: 61, address: "2001:db8::2" },
    ];
    const bytes = built(buildDnsResponse({ id: 7, question: QUESTION, answers, compress: true }));
    expect(bytes[12 + 18 + 4]).toBe(0xc0); // the first answer's owner is a pointer to the question
    const parsed = parseDnsMessage(bytes);
    if (!parsed.ok) throw new Error("unparsed");
    expect(parsed.value.answers).toEqual([
      { name: "api.example.test", type: DNS_TYPE.CNAME, class: 1, ttl: 300, data: { kind: "CNAME", target: "edge.cdn.test" } },
      { name: "edge.cdn.test", type: DNS_TYPE.A, class: 1, ttl: 60, data: { kind: "A", address: "127.0.0.2" } },
      { name: "edge.cdn.test", type: DNS_TYPE.AAAA, class: 1, ttl: 61, data: { kind: "AAAA", address: "2001:db8::2" } },
    ]);
    expect(resolveAnswer(parsed.value)).toEqual({
      ok: true,
      value: {
        name: "api.example.test",
        type: "A",
        rcode: "NOERROR",
        answers: [
          { address: "127.0.0.2", ttl: 60, cnames: ["edge.cdn.test"] },
          { address: "2001:db8::2", ttl: 61, cnames: ["edge.cdn.test"] },
        ],
      },
    });
  });

  test("ignores addresses whose owner the queried name's CNAME chain does not reach", () => {
    const answers: DnsAnswerSpec[] = [
      { name: "api.example.test", type: "A", ttl: 5, address: "127.0.0.2" },
      { name: "evil.test", type: "A", ttl: 5, address: "10.9.9.9" },
    ];
    const parsed = parseDnsMessage(built(buildDnsResponse({ id: 1, question: QUESTION, answers })));
    if (!parsed.ok) throw new Error("unparsed");
    const resolved = resolveAnswer(parsed.value);
    expect(resolved.ok && resolved.value.answers.map((a) => a.address)).toEqual(["127.0.0.2"]);
  });

  test("stops at a CNAME loop instead of walking it forever", () => {
    const answers: DnsAnswerSpec[] = [
      { name: "api.example.test", type: "CNAME", ttl: 5, target: "b.test" },
      { name: "b.test", type: "CNAME", ttl: 5, target: "api.example.test" },
    ];
    const parsed = parseDnsMessage(built(buildDnsResponse({ id: 1, question: QUESTION, answers })));
    if (!parsed.ok) throw new Error("unparsed");
    expect(resolveAnswer(parsed.value)).toEqual({ ok: true, value: { name: "api.example.test", type: "A", rcode: "NOERROR", answers: [] } });
  });

  test("classifies a pointer to itself as a loop and a pointer ahead as forward", () => {
    // Name at offset 12 is a pointer to 12: it points into its own segment.
    expect(codeOf([...header(1, 0, 1, 0), 0xc0, 12, 0, 1, 0, 1])).toBe("DNS_POINTER_LOOP");
    // Two labels, then a pointer back to the second label's start (inside the segment being read).
    expect(codeOf([...header(1, 0, 1, 0), 1, 0x61, 1, 0x62, 0xc0, 14, 0, 1, 0, 1])).toBe("DNS_POINTER_LOOP");
    expect(codeOf([...header(1, 0, 1, 0), 0xc0, 40, 0, 1, 0, 1])).toBe("DNS_POINTER_FORWARD");
  });

  test("classifies label, name, count, truncation, rdata and trailing-byte damage", () => {
    expect(codeOf([1, 2, 3])).toBe("DNS_TRUNCATED");
    expect(codeOf([...header(1, 0, 1, 0), 0x50, ...Array(80).fill(0x61), 0, 0, 1, 0, 1])).toBe("DNS_LABEL_TOO_LONG");
    const longName = Array.from({ length: 5 }, () => [63, ...Array(63).fill(0x61)]).flat();
    expect(codeOf([...header(1, 0, 1, 0), ...longName, 0, 0, 1, 0, 1])).toBe("DNS_NAME_TOO_LONG");
    expect(codeOf([...header(1, 0, 0xff, 0xff), 0])).toBe("DNS_COUNT_OVERSIZED");
    expect(codeOf([...header(1, 0, 1, 0), 10, 0x61, 0x62, 0x63, 0x64, 0x65])).toBe("DNS_TRUNCATED");
    expect(codeOf([...header(1, 0x8000, 1, 1), 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3])).toBe("DNS_BAD_RDATA");
    expect(codeOf([...header(1, 0, 1, 0), 0, 0, 1, 0, 1, 9, 9])).toBe("DNS_TRAILING_BYTES");
  });

  test("reads the TC bit as a fact, not as damage", () => {
    const parsed = parseDnsMessage(Uint8Array.from([...header(9, 0x8200, 1, 0), 0, 0, 1, 0, 1]));
    expect(parsed.ok && parsed.value.truncated).toBe(true);
  });

  test("never throws on random bytes, and every failure has a known code", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const parsed = parseDnsMessage(bytes);
        if (!parsed.ok) expect(PROBLEM_CODES.has(parsed.issues[0].code)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test("classifies every truncation of a valid response as truncated", () => {
    const bytes = built(
      buildDnsResponse({ id: 3, question: QUESTION, answers: [{ name: "api.example.test", type: "A", ttl: 9, address: "127.0.0.2" }], compress: true }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        const parsed = parseDnsMessage(bytes.subarray(0, cut));
        // A cut can leave counts larger than the bytes: oversized counts are truncation seen early.
        expect(parsed.ok ? "ok" : parsed.issues[0].code).toMatch(/^DNS_(TRUNCATED|COUNT_OVERSIZED)$/);
      }),
    );
  });

  test("classifies generated looping compression and 300-byte labels", () => {
    const loop = fc.record({ labels: fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }), back: fc.nat() }).map(({ labels, back }) => {
      const name: number[] = [];
      for (const length of labels) name.push(length, ...Array(length).fill(0x62));
      const pointerAt = 12 + name.length;
      // Any target at or after the name's start and at or before the pointer is a loop.
      const target = 12 + (back % (name.length + 1));
      return { bytes: [...header(1, 0, 1, 0), ...name, 0xc0 | (target >> 8), target & 0xff, 0, 1, 0, 1], pointerAt };
    });
    fc.assert(
      fc.property(loop, ({ bytes }) => {
        expect(codeOf(bytes)).toMatch(/^DNS_POINTER_(LOOP|FORWARD)$/);
      }),
    );
    const bigLabel = fc.integer({ min: 64, max: 300 }).map((size) => [...header(1, 0, 1, 0), Math.min(size, 255), ...Array(size).fill(0x61), 0, 0, 1, 0, 1]);
    fc.assert(
      fc.property(bigLabel, (bytes) => {
        // A length byte above 63 is a reserved label type or a pointer: never a label.
        expect(codeOf(bytes)).toMatch(/^DNS_(LABEL_TOO_LONG|POINTER_FORWARD|POINTER_LOOP)$/);
      }),
    );
  });

  test("reads every generated valid response back to the same answers", () => {
    const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
    const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
    fc.assert(
      fc.property(name, fc.array(fc.tuple(v4, fc.nat(2 ** 31)), { maxLength: 6 }), fc.boolean(), (qname, addresses, compress) => {
        const bytes = built(
          buildDnsResponse({
            id: 5,
            question: { name: qname, type: DNS_TYPE.A, class: 1 },
            compress,
            answers: addresses.map(([address, ttl]) => ({ name: qname, type: "A", ttl, address })),
          }),
        );
        const parsed = parseDnsMessage(bytes);
        if (!parsed.ok) throw new Error(parsed.issues[0].message);
        const resolved = resolveAnswer(parsed.value);
        expect(resolved.ok && resolved.value.answers).toEqual(addresses.map(([address, ttl]) => ({ address, ttl, cnames: [] })));
      }),
    );
  });
});

describe("TCP framing", () => {
  test("splits a stream into length-prefixed messages and keeps a cut-off tail", () => {
    const a = built(buildDnsQuery({ id: 1, name: "a.test", type: DNS_TYPE.A }));
    const b = built(buildDnsQuery({ id: 2, name: "b.test", type: DNS_TYPE.AAAA }));
    const framedB = frameDnsTcp(b);
    const stream = Uint8Array.from([...frameDnsTcp(a), ...framedB.subarray(0, 5)]);
    const { messages, rest } = splitDnsTcpStream(stream);
    expect(messages.map((m) => [...m])).toEqual([[...a]]);
    expect([...rest]).toEqual([...framedB.subarray(0, 5)]);
    expect(parseDnsTcpFrame(framedB).ok).toBe(true);
    const short = parseDnsTcpFrame(framedB.subarray(0, 9));
    expect(short.ok ? "ok" : short.issues[0].code).toBe("DNS_FRAME_LENGTH");
  });
});

describe("buildDnsQuery", () => {
  test("refuses labels over 63 bytes and names over 255 bytes instead of writing them", () => {
    const label = buildDnsQuery({ id: 1, name: `${"a".repeat(64)}.test`, type: 1 });
    const name = buildDnsQuery({ id: 1, name: Array(9).fill("a".repeat(30)).join("."), type: 1 });
    expect([label.ok ? "ok" : label.issues[0].code, name.ok ? "ok" : name.issues[0].code]).toEqual(["DNS_LABEL_TOO_LONG", "DNS_NAME_TOO_LONG"]);
  });
});

describe("DnsObserver", () => {
  test("counts unparseable packets and answers whose query it never saw", () => {
    const observer = new DnsObserver("capture");
    const query = built(buildDnsQuery({ id: 11, name: "api.example.test", type: DNS_TYPE.A }));
    const answer = built(buildDnsResponse({ id: 11, question: QUESTION, answers: [{ name: "api.example.test", type: "A", ttl: 30, address: "127.0.0.2" }] }));
    const early = built(buildDnsResponse({ id: 12, question: QUESTION, answers: [], rcode: 3 }));
    observer.query(query, { pid: 42, resolver: "127.0.0.53", resolverPort: 53 });
    observer.answer(answer, { pid: 42 });
    observer.answer(early, { pid: 42 });
    observer.answer(Uint8Array.of(1, 2, 3));
    observer.query(answer);
    expect(observer.counters).toEqual({ unparseable: 2, answersBeforeArmed: 1 });
    expect(observer.observations).toEqual([
      { direction: "query", source: "capture", pid: 42, name: "api.example.test", type: "A", resolver: "127.0.0.53", resolver_port: 53 },
      {
        direction: "answer",
        source: "capture",
        pid: 42,
        name: "api.example.test",
        type: "A",
        rcode: "NOERROR",
        answers: [{ address: "127.0.0.2", ttl: 30, cnames: [] }],
      },
      { direction: "answer", source: "capture", pid: 42, name: "api.example.test", type: "A", rcode: "NXDOMAIN", answers: [] },
    ]);
    // The records both DNS sources hand over validate against the shared schema.
    expect(observer.observations.map((o) => v.safeParse(DnsObservationSchema, o).success)).toEqual([true, true, true]);
  });

  test("never throws on generated malformed packets and counts each one", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 30 }), (packets) => {
        const observer = new DnsObserver("capture");
        let failed = 0;
        for (const packet of packets) if (!observer.answer(packet).ok) failed += 1;
        expect(observer.counters.unparseable).toBe(failed);
      }),
    );
  });
});
