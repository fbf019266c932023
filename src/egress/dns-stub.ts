import { createServer, Socket, type Server } from "node:net";
import type { DnsCounters, DnsObservation } from "../schema/index.ts";
import { buildDnsResponse } from "./dns-builder.ts";
import { frameDnsTcp, parseDnsMessage, splitDnsTcpStream, type DnsMessage } from "./dns-message.ts";
import { DnsObserver, resolveAnswer, type ResolvedAnswer } from "./dns-observer.ts";

/** An address and port. */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

/** How the stub is set up. */
export interface DnsStubOptions {
  /** The real resolver queries are forwarded to. */
  readonly upstream: SocketAddress;
  /** Where to listen (UDP and TCP on the same port); default 127.0.0.1, a free port. */
  readonly listen?: SocketAddress;
  /**
   * Called with each answer's addresses before the reply leaves the stub; the reply waits for it,
   * so an allow-map insert made here is in place before the workload can connect.
   */
  readonly onAnswer?: (answer: ResolvedAnswer) => void | Promise<void>;
  /** Whether to forward a query at all; a refused query gets REFUSED. Default: all. */
  readonly allowQuery?: (name: string, type: number) => boolean;
  /** How long to wait for the upstream resolver before answering SERVFAIL; default 2000 ms. */
  readonly timeoutMs?: number;
}

/** A running stub resolver. */
export interface DnsStub {
  /** Where the session's DNS should be sent (UDP and TCP). */
  readonly address: string;
  readonly port: number;
  /** Parsed queries and answers, in arrival order. */
  readonly observations: readonly DnsObservation[];
  readonly counters: DnsCounters;
  /** Stops listening and forgets pending queries. */
  close(): Promise<void>;
}

/**
 * Starts a DNS forwarder on loopback: each query is parsed and checked, forwarded to the
 * upstream resolver under a fresh id, the answer parsed, `onAnswer` awaited, then the reply sent
 * with the client's id. Unparseable queries get FORMERR when their id is readable; unparseable
 * answers are counted and passed on unchanged (no addresses reach the allow map for them).
 */
export async function startDnsStub(options: DnsStubOptions): Promise<DnsStub> {
  const observer = new DnsObserver("stub");
  const listen = options.listen ?? { address: "127.0.0.1", port: 0 };
  const timeoutMs = options.timeoutMs ?? 2000;
  const upstream = await openUdpForwarder(listen.address, options.upstream, timeoutMs);
  const handle = (query: Uint8Array, forward: Forward) => answerQuery(query, forward, observer, options);

  const udp = await Bun.udpSocket({
    hostname: listen.address,
    port: listen.port,
    socket: {
      data(socket, data, port, address) {
        void handle(new Uint8Array(data), upstream.forward).then((reply) => {
          if (reply) sendDatagram(socket, reply, port, address);
        });
      },
      // ICMP errors for clients that left before their answer: nothing to do
      error() {},
    },
  });
  let tcp: Server;
  try {
    tcp = await listenTcp(listen.address, udp.port, (query) => handle(query, (forwarded) => forwardTcp(options.upstream, forwarded, timeoutMs)));
  } catch (error) {
    udp.close();
    upstream.close();
    throw error;
  }

  return {
    address: listen.address,
    port: udp.port,
    observations: observer.observations,
    get counters() {
      return observer.counters;
    },
    async close() {
      udp.close();
      upstream.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/**
 * Sends one datagram. An ICMP error left by an earlier peer (one that closed its socket before
 * its answer) is reported by the next send, which then sends nothing and clears it, so one retry
 * sends this one; false when that fails too.
 */
export function sendDatagram(
  socket: { send(data: Uint8Array, port: number, address: string): boolean },
  data: Uint8Array,
  port: number,
  address: string,
): boolean {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      return socket.send(data, port, address);
    } catch {}
  }
  return false;
}

// --- internal ---

// Sends a query to the upstream resolver; its reply, or undefined when none came in time.
type Forward = (query: Uint8Array) => Promise<Uint8Array | undefined>;

// One query from the session: parsed and checked, forwarded, the answer checked against the
// question, `onAnswer` awaited, the answer observed; the reply to send back, if any (never throws).
async function answerQuery(query: Uint8Array, forward: Forward, observer: DnsObserver, options: DnsStubOptions): Promise<Uint8Array | undefined> {
  const parsed = observer.query(query, { resolver: options.upstream.address, resolverPort: options.upstream.port });
  if (!parsed.ok) return query.length >= 12 ? errorReply(query, 1 /* FORMERR */) : undefined;
  const message = parsed.value;
  const question = message.questions[0]!;
  if (options.allowQuery && !options.allowQuery(question.name, question.type)) return replyFor(message, 5 /* REFUSED */);
  const raw = await forward(query);
  if (raw === undefined) return replyFor(message, 2 /* SERVFAIL */);
  const reply = new Uint8Array(raw);
  reply[0] = message.id >> 8;
  reply[1] = message.id & 0xff;
  // An answer to another question (a confused or spoofing upstream) must not name addresses for this one.
  const echoed = parseDnsMessage(reply);
  const replyQuestion = echoed.ok ? echoed.value.questions[0] : undefined;
  if (replyQuestion !== undefined && (replyQuestion.name !== question.name || replyQuestion.type !== question.type)) return replyFor(message, 2 /* SERVFAIL */);
  // The allow map before the reply; an answer whose addresses could not be allowed goes out as
  // SERVFAIL and is not recorded as an answer (the client never received it).
  const resolved = echoed.ok ? resolveAnswer(echoed.value) : undefined;
  if (resolved?.ok && options.onAnswer) {
    try {
      await options.onAnswer(resolved.value);
    } catch {
      return replyFor(message, 2 /* SERVFAIL */);
    }
  }
  observer.answerMessage(echoed, {}, resolved);
  return reply;
}

// The socket queries go upstream on over UDP, each under a fresh id matched to its reply. Closing
// it answers every pending query with undefined.
async function openUdpForwarder(hostname: string, upstream: SocketAddress, timeoutMs: number): Promise<{ readonly forward: Forward; close(): void }> {
  const pending = new Map<number, (reply: Uint8Array | undefined) => void>();
  let nextId = Math.floor(Math.random() * 0x10000);
  const socket = await Bun.udpSocket({
    hostname,
    socket: {
      data(_socket, data) {
        if (data.length < 2) return;
        const id = ((data[0] as number) << 8) | (data[1] as number);
        const resolve = pending.get(id);
        if (resolve) {
          pending.delete(id);
          resolve(new Uint8Array(data));
        }
      },
      // an unreachable upstream: the query times out and is answered SERVFAIL
      error() {},
    },
  });
  const forward = (query: Uint8Array): Promise<Uint8Array | undefined> => {
    let id = nextId;
    for (let tries = 0; pending.has(id) && tries < 0x10000; tries++) id = (id + 1) & 0xffff;
    nextId = (id + 1) & 0xffff;
    const copy = new Uint8Array(query);
    copy[0] = id >> 8;
    copy[1] = id & 0xff;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      sendDatagram(socket, copy, upstream.port, upstream.address);
    });
  };
  const close = (): void => {
    socket.close();
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  };
  return { forward, close };
}

// DNS over TCP on `address`:`port` (the UDP listener's port): length-framed queries, each answered by `handle`.
async function listenTcp(address: string, port: number, handle: (query: Uint8Array) => Promise<Uint8Array | undefined>): Promise<Server> {
  const tcp = createServer((client) => {
    let buffered: Uint8Array = new Uint8Array(0);
    client.on("data", (chunk: Buffer) => {
      buffered = concat(buffered, chunk);
      const { messages, rest } = splitDnsTcpStream(buffered);
      buffered = new Uint8Array(rest);
      for (const message of messages) {
        void handle(new Uint8Array(message)).then((reply) => {
          if (reply && !client.destroyed) client.write(frameDnsTcp(reply));
        });
      }
    });
    client.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, address, () => resolve());
  });
  return tcp;
}

function replyFor(message: DnsMessage, rcode: number): Uint8Array | undefined {
  const question = message.questions[0];
  if (question === undefined) return undefined;
  const built = buildDnsResponse({ id: message.id, question, rcode });
  return built.ok ? built.value : undefined;
}

// A header-only reply for a query whose question could not be read: id echoed, QR set, no sections.
function errorReply(query: Uint8Array, rcode: number): Uint8Array {
  const out = new Uint8Array(12);
  out[0] = query[0] as number;
  out[1] = query[1] as number;
  out[2] = 0x80 | ((query[2] as number) & 0x01);
  out[3] = 0x80 | rcode;
  return out;
}

function forwardTcp(upstream: SocketAddress, query: Uint8Array, timeoutMs: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let buffered: Uint8Array = new Uint8Array(0);
    const done = (reply: Uint8Array | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on("error", () => done(undefined));
    socket.on("close", () => done(undefined));
    socket.on("data", (chunk: Buffer) => {
      buffered = concat(buffered, chunk);
      const { messages } = splitDnsTcpStream(buffered);
      if (messages.length > 0) done(new Uint8Array(messages[0]!));
    });
    socket.connect(upstream.port, upstream.address, () => socket.write(frameDnsTcp(query)));
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return new Uint8Array(b);
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
