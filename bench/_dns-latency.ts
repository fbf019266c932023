// What the stub resolver adds to a resolve-then-connect on loopback: interleaved rounds of
// (query the test server directly, connect to the answer) and (query through the stub, whose
// onAnswer inserts into an allow set, connect), medians of each and of the per-round difference.
import { buildDnsQuery, DNS_TYPE, parseDnsMessage, resolveAnswer, startDnsStub } from "../src/egress/index.ts";
import { startTestDnsServer, udpExchange } from "../test/egress/_dns-server.ts";

export interface StubLatency {
  readonly rounds: number;
  readonly directMs: number;
  readonly stubMs: number;
  /** Median of per-round (stub − direct). */
  readonly addedMs: number;
}

/** Measures `rounds` interleaved pairs after a short warm-up. */
export async function measureStubLatency(rounds: number): Promise<StubLatency> {
  await using server = await startTestDnsServer({ "api.example.test": [{ name: "api.example.test", type: "A", ttl: 30, address: "127.0.0.2" }] });
  const allowed = new Set<string>();
  const stub = await startDnsStub({
    upstream: { address: "127.0.0.1", port: server.port },
    onAnswer: (a) => void a.answers.forEach((x) => allowed.add(x.address)),
  });
  const listener = Bun.listen({
    hostname: "127.0.0.2",
    port: 0,
    socket: {
      data() {},
      open(s) {
        s.end();
      },
    },
  });
  const built = buildDnsQuery({ id: 1, name: "api.example.test", type: DNS_TYPE.A });
  if (!built.ok) throw new Error(built.issues[0].message);
  const resolveThenConnect = async (port: number): Promise<number> => {
    const start = Bun.nanoseconds();
    const reply = parseDnsMessage(await udpExchange(port, built.value));
    const answer = reply.ok ? resolveAnswer(reply.value) : undefined;
    const address = answer?.ok ? answer.value.answers[0]?.address : undefined;
    if (address === undefined) throw new Error("no address in the answer");
    const socket = await Bun.connect({ hostname: address, port: listener.port, socket: { data() {} } });
    const elapsed = Bun.nanoseconds() - start;
    socket.end();
    return elapsed / 1e6;
  };
  try {
    for (let i = 0; i < 10; i++) {
      await resolveThenConnect(server.port);
      await resolveThenConnect(stub.port);
    }
    const direct: number[] = [];
    const viaStub: number[] = [];
    const added: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first so neither always runs on a warmer path.
      const [a, b] =
        i % 2 === 0
          ? [await resolveThenConnect(server.port), await resolveThenConnect(stub.port)]
          : (([y, x]) => [x, y])([await resolveThenConnect(stub.port), await resolveThenConnect(server.port)]);
      direct.push(a as number);
      viaStub.push(b as number);
      added.push((b as number) - (a as number));
    }
    return { rounds, directMs: median(direct), stubMs: median(viaStub), addedMs: median(added) };
  } finally {
    listener.stop(true);
    await stub.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
