// Test DNS servers, never leaving loopback: a tiny authoritative one on 127.0.0.1 (UDP and TCP,
// same free port) answering A/AAAA from a table, NXDOMAIN otherwise; and one at 127.0.0.153:53
// that answers any name, for the e2e workloads.
import { createServer, type Server } from "node:net";
import { buildDnsResponse, DNS_TYPE, frameDnsTcp, parseDnsMessage, sendDatagram, splitDnsTcpStream, type DnsAnswerSpec } from "../../src/egress/index.ts";

export interface TestDnsServer extends AsyncDisposable {
  readonly port: number;
  /** Queries received (names), in order. */
  readonly seen: string[];
}

/** Starts the server; `table` maps a name to its A/AAAA answers (CNAMEs allowed). */
export async function startTestDnsServer(table: Record<string, readonly DnsAnswerSpec[]>): Promise<TestDnsServer> {
  const seen: string[] = [];
  const answer = (query: Uint8Array): Uint8Array | undefined => {
    const parsed = parseDnsMessage(query);
    if (!parsed.ok) return undefined;
    const question = parsed.value.questions[0];
    if (question === undefined) return undefined;
    seen.push(question.name);
    const all = table[question.name];
    const wanted = question.type === DNS_TYPE.AAAA ? "AAAA" : "A";
    const answers = all?.filter((a) => a.type === "CNAME" || a.type === wanted);
    const built = buildDnsResponse({ id: parsed.value.id, question, answers: answers ?? [], rcode: all === undefined ? 3 : 0, compress: true });
    return built.ok ? built.value : undefined;
  };
  const udp = await Bun.udpSocket({
    hostname: "127.0.0.1",
    socket: {
      data(socket, data, port, address) {
        const reply = answer(new Uint8Array(data));
        if (reply) sendDatagram(socket, reply, port, address);
      },
      error() {},
    },
  });
  const tcp: Server = createServer((client) => {
    let buffered = new Uint8Array(0);
    client.on("data", (chunk: Buffer) => {
      const next = new Uint8Array(buffered.length + chunk.length);
      next.set(buffered);
      next.set(chunk, buffered.length);
      const { messages, rest } = splitDnsTcpStream(next);
      buffered = new Uint8Array(rest);
      for (const message of messages) {
        const reply = answer(new Uint8Array(message));
        if (reply) client.write(frameDnsTcp(reply));
      }
    });
    client.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(udp.port, "127.0.0.1", () => resolve());
  });
  return {
    port: udp.port,
    seen,
    async [Symbol.asyncDispose]() {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** Sends one UDP query to 127.0.0.1:port and resolves with the reply bytes (rejects after `timeoutMs`). */
export async function udpExchange(port: number, query: Uint8Array, timeoutMs = 2000): Promise<Uint8Array> {
  let resolveReply: (reply: Uint8Array) => void = () => {};
  const reply = new Promise<Uint8Array>((resolve) => (resolveReply = resolve));
  const socket = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data: (_s, data) => resolveReply(new Uint8Array(data)) } });
  try {
    socket.send(query, port, "127.0.0.1");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no DNS reply on port ${port}`)), timeoutMs)));
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    socket.close();
  }
}

/** A server at 127.0.0.153:53, where the e2e workloads ask, answering any A question with 127.0.0.2. */
export function startAnyNameServer() {
  return Bun.udpSocket({
    hostname: "127.0.0.153",
    port: 53,
    socket: {
      data(socket, data, port, address) {
        const query = parseDnsMessage(new Uint8Array(data), "test");
        const question = query.ok ? query.value.questions[0] : undefined;
        if (!query.ok || question === undefined) return;
        const answer = buildDnsResponse({
          id: query.value.id,
          question,
          answers: [{ name: question.name, type: "A", ttl: 60, address: "127.0.0.2" }],
          compress: true,
        });
        if (answer.ok) sendDatagram(socket, answer.value, port, address);
      },
      error: () => {},
    },
  });
}
