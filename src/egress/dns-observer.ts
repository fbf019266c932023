import type { DnsCounters, DnsObservation, Result } from "../schema/index.ts";
import { dnsRcodeName, dnsTypeName, parseDnsMessage, type DnsMessage } from "./dns-message.ts";

/** The addresses an answer gives for its question, CNAME chains followed from the queried name. */
export interface ResolvedAnswer {
  readonly name: string;
  readonly type: string;
  readonly rcode: string;
  readonly answers: readonly { readonly address: string; readonly ttl: number; readonly cnames: readonly string[] }[];
}

/** Where and from whom a DNS packet came. */
export interface DnsPacketContext {
  /** The process, when the source knows it (the capture engine); 0 otherwise. */
  readonly pid?: number;
  /** The resolver the query went to. */
  readonly resolver?: string;
  readonly resolverPort?: number;
}

/**
 * Turns DNS packets one source saw into observations and counters: unparseable packets are
 * counted (never thrown), and an answer whose query was not seen — sent before capture was
 * armed — is counted as such. Queries and answers are matched by id and question.
 */
export class DnsObserver {
  readonly observations: DnsObservation[] = [];
  #unparseable = 0;
  #answersBeforeArmed = 0;
  readonly #pending = new Map<string, number>();
  readonly #source: "stub" | "capture";

  constructor(source: "stub" | "capture") {
    this.#source = source;
  }

  /** The counters for the `dns_capture:` note. */
  get counters(): DnsCounters {
    return { unparseable: this.#unparseable, answersBeforeArmed: this.#answersBeforeArmed };
  }

  /** Records a query packet; returns the parsed message or the issues that made it unparseable. */
  query(bytes: Uint8Array, context: DnsPacketContext = {}): Result<DnsMessage> {
    const parsed = parseDnsMessage(bytes, `dns:${this.#source}`);
    if (!parsed.ok || parsed.value.isResponse || parsed.value.questions.length === 0) {
      this.#unparseable += 1;
      return parsed.ok ? notAQuery(parsed.value) : parsed;
    }
    const question = parsed.value.questions[0]!;
    const key = pendingKey(parsed.value);
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    this.observations.push({
      direction: "query",
      source: this.#source,
      pid: context.pid ?? 0,
      name: question.name,
      type: dnsTypeName(question.type),
      ...(context.resolver === undefined ? {} : { resolver: context.resolver }),
      ...(context.resolverPort === undefined ? {} : { resolver_port: context.resolverPort }),
    });
    return parsed;
  }

  /** Records an answer packet; returns what it resolved, or the issues that made it unparseable. */
  answer(bytes: Uint8Array, context: DnsPacketContext = {}): Result<ResolvedAnswer> {
    return this.answerMessage(parseDnsMessage(bytes, `dns:${this.#source}`), context);
  }

  /**
   * Records an answer already parsed (`parseDnsMessage`), as `answer` does its bytes; `resolved`
   * is `resolveAnswer` of it, when the caller has it already.
   */
  answerMessage(parsed: Result<DnsMessage>, context: DnsPacketContext = {}, resolved?: Result<ResolvedAnswer>): Result<ResolvedAnswer> {
    if (!parsed.ok) {
      this.#unparseable += 1;
      return parsed;
    }
    resolved ??= resolveAnswer(parsed.value);
    if (!resolved.ok) {
      this.#unparseable += 1;
      return resolved;
    }
    const key = pendingKey(parsed.value);
    const waiting = this.#pending.get(key) ?? 0;
    if (waiting === 0) this.#answersBeforeArmed += 1;
    else if (waiting === 1) this.#pending.delete(key);
    else this.#pending.set(key, waiting - 1);
    const { name, type, rcode, answers } = resolved.value;
    this.observations.push({
      direction: "answer",
      source: this.#source,
      pid: context.pid ?? 0,
      name,
      type,
      rcode,
      answers: answers.map((a) => ({ address: a.address, ttl: a.ttl, cnames: [...a.cnames] })),
    });
    return resolved;
  }
}

/**
 * The addresses a response gives for its first question: A/AAAA records owned by the queried
 * name or by a name its CNAME chain reaches (loops and chains over 16 links stop the walk);
 * records for unrelated owners are ignored, so an answer cannot name addresses it was not asked for.
 */
export function resolveAnswer(message: DnsMessage): Result<ResolvedAnswer> {
  const question = message.questions[0];
  if (!message.isResponse || question === undefined) return notAQuery(message, "a response with a question");
  const cname = new Map<string, string>();
  for (const record of message.answers) if (record.data.kind === "CNAME" && !cname.has(record.name)) cname.set(record.name, record.data.target);
  const chain: string[] = [];
  const seen = new Set<string>([question.name]);
  let owner = question.name;
  const answers: { address: string; ttl: number; cnames: readonly string[] }[] = [];
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    for (const record of message.answers) {
      if (record.name !== owner) continue;
      if (record.data.kind === "A" || record.data.kind === "AAAA") answers.push({ address: record.data.address, ttl: record.ttl, cnames: [...chain] });
    }
    const next = cname.get(owner);
    if (next === undefined || seen.has(next)) break;
    seen.add(next);
    chain.push(next);
    owner = next;
  }
  return { ok: true, value: { name: question.name, type: dnsTypeName(question.type), rcode: dnsRcodeName(message.rcode), answers } };
}

// --- internal ---

const MAX_CNAME_HOPS = 16;

function pendingKey(message: DnsMessage): string {
  const q = message.questions[0];
  return `${message.id}\u0000${q?.name ?? ""}\u0000${q?.type ?? 0}`;
}

function notAQuery<T>(message: DnsMessage, expected = "a query with a question"): Result<T> {
  return {
    ok: false,
    issues: [
      {
        code: "DNS_UNEXPECTED_MESSAGE",
        file: "dns",
        path: "header",
        expected,
        received: `${message.isResponse ? "response" : "query"} with ${message.questions.length} questions`,
        message: `DNS message is not ${expected}`,
      },
    ],
  };
}
