import { fail, ok, type Issue, type Result } from "../schema/index.ts";
import { DNS_LIMITS, DNS_TYPE, type DnsQuestion } from "./dns-message.ts";
import { parseIpBytes } from "./ip-bytes.ts";

/** An answer record to write: an address (A/AAAA) or a CNAME target. */
export type DnsAnswerSpec =
  | { readonly name: string; readonly type: "A" | "AAAA"; readonly ttl: number; readonly address: string }
  | { readonly name: string; readonly type: "CNAME"; readonly ttl: number; readonly target: string };

/** A query to write. */
export interface DnsQuerySpec {
  readonly id: number;
  readonly name: string;
  /** Record type number (DNS_TYPE.A …). */
  readonly type: number;
  readonly recursionDesired?: boolean;
}

/** A response to write for one question. */
export interface DnsResponseSpec {
  readonly id: number;
  readonly question: DnsQuestion;
  readonly rcode?: number;
  readonly answers?: readonly DnsAnswerSpec[];
  /** Write answer owner names equal to the question's as a pointer to it (offset 12), as servers do. */
  readonly compress?: boolean;
}

/** Builds a query message; an invalid name is an issue, never a malformed packet. */
export function buildDnsQuery(spec: DnsQuerySpec): Result<Uint8Array> {
  const name = encodeName(spec.name, "name");
  if (!name.ok) return name;
  const out = new Writer();
  out.u16(spec.id & 0xffff);
  out.u16(spec.recursionDesired === false ? 0 : 0x0100);
  out.u16(1).u16(0).u16(0).u16(0);
  out.bytes(name.value).u16(spec.type).u16(1);
  return ok(out.done());
}

/** Builds a response (QR and RA set) echoing the question, with the given answers. */
export function buildDnsResponse(spec: DnsResponseSpec): Result<Uint8Array> {
  const question = encodeName(spec.question.name, "question.name");
  if (!question.ok) return question;
  const answers = spec.answers ?? [];
  const out = new Writer();
  out.u16(spec.id & 0xffff);
  out.u16(0x8000 | 0x0100 | 0x0080 | ((spec.rcode ?? 0) & 0xf));
  out.u16(1).u16(answers.length).u16(0).u16(0);
  out.bytes(question.value).u16(spec.question.type).u16(spec.question.class);
  const questionName = spec.question.name.toLowerCase();
  for (const [i, answer] of answers.entries()) {
    const path = `answers.${i}`;
    let owner: Uint8Array;
    if (spec.compress === true && answer.name.toLowerCase() === questionName) owner = Uint8Array.of(0xc0, 12);
    else {
      const encoded = encodeName(answer.name, `${path}.name`);
      if (!encoded.ok) return encoded;
      owner = encoded.value;
    }
    let type: number;
    let rdata: Uint8Array;
    if (answer.type === "CNAME") {
      const target = encodeName(answer.target, `${path}.target`);
      if (!target.ok) return target;
      [type, rdata] = [DNS_TYPE.CNAME, target.value];
    } else {
      const parsed = parseIpBytes(answer.address);
      const address = parsed?.version === (answer.type === "A" ? 4 : 6) ? parsed.bytes : undefined;
      if (address === undefined) return fail(issue("DNS_BAD_RDATA", `${path}.address`, `an IPv${answer.type === "A" ? 4 : 6} address`, answer.address));
      [type, rdata] = [answer.type === "A" ? DNS_TYPE.A : DNS_TYPE.AAAA, address];
    }
    out
      .bytes(owner)
      .u16(type)
      .u16(1)
      .u32(answer.ttl >>> 0)
      .u16(rdata.length)
      .bytes(rdata);
  }
  return ok(out.done());
}

/** Encodes a presentation name ("api.example.test", trailing dot optional) as wire labels, enforcing the RFC 1035 limits. */
export function encodeName(name: string, path = "name"): Result<Uint8Array> {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  const labels = trimmed === "" ? [] : trimmed.split(".");
  const parts: number[] = [];
  for (const label of labels) {
    const bytes = new TextEncoder().encode(label);
    if (bytes.length === 0) return fail(issue("DNS_EMPTY_LABEL", path, "non-empty labels", JSON.stringify(name)));
    if (bytes.length > DNS_LIMITS.labelBytes)
      return fail(issue("DNS_LABEL_TOO_LONG", path, `labels of at most ${DNS_LIMITS.labelBytes} bytes`, `${bytes.length} bytes`));
    parts.push(bytes.length, ...bytes);
  }
  parts.push(0);
  if (parts.length > DNS_LIMITS.nameBytes)
    return fail(issue("DNS_NAME_TOO_LONG", path, `at most ${DNS_LIMITS.nameBytes} bytes on the wire`, `${parts.length} bytes`));
  return ok(Uint8Array.from(parts));
}

// --- internal ---

function issue(code: string, path: string, expected: string, received: string): Issue {
  return { code, file: "dns-builder", path, expected, received, message: `${path}: expected ${expected}, received ${received}` };
}

class Writer {
  readonly #parts: number[] = [];
  u16(value: number): this {
    this.#parts.push((value >> 8) & 0xff, value & 0xff);
    return this;
  }
  u32(value: number): this {
    return this.u16(Math.floor(value / 0x10000)).u16(value & 0xffff);
  }
  bytes(data: Uint8Array): this {
    for (const byte of data) this.#parts.push(byte);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}
