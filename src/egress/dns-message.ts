import { fail, ok, type Issue, type Result } from "../schema/index.ts";
import { formatIpBytes } from "./ip-bytes.ts";

// A defensive DNS message reader (RFC 1035 §4): every length is checked against the bytes that
// are there, compression pointers may only jump strictly backwards (so a chain always ends),
// and nothing throws — a packet that cannot be read is returned as issues.

/** Record types this reader decodes; others keep their type number and rdata length. */
export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, HTTPS: 65, ANY: 255 } as const;

/** Response codes by number (RFC 1035 §4.1.1, RFC 6895). */
export const DNS_RCODE_NAMES: readonly string[] = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** Upper bounds a well-formed message respects (RFC 1035 §2.3.4). */
export const DNS_LIMITS = { labelBytes: 63, nameBytes: 255, udpMessageBytes: 65535 } as const;

/** One question: name in presentation form (lower-case, no trailing dot; "." for the root). */
export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** What an answer record carries: an address, a CNAME target, or an undecoded rdata length. */
export type DnsRecordData =
  | { readonly kind: "A"; readonly address: string }
  | { readonly kind: "AAAA"; readonly address: string }
  | { readonly kind: "CNAME"; readonly target: string }
  | { readonly kind: "other"; readonly length: number };

/** One resource record of the answer section. */
export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: DnsRecordData;
}

/** A DNS message: header fields, questions and the answer section (authority/additional are counted, not decoded). */
export interface DnsMessage {
  readonly id: number;
  readonly isResponse: boolean;
  readonly opcode: number;
  readonly rcode: number;
  /** The TC bit: the server cut the answer to fit UDP (a protocol fact, not a damaged packet). */
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorityCount: number;
  readonly additionalCount: number;
}

/** Codes of the problems a packet can have. */
export type DnsProblemCode =
  | "DNS_TRUNCATED"
  | "DNS_POINTER_LOOP"
  | "DNS_POINTER_FORWARD"
  | "DNS_LABEL_TOO_LONG"
  | "DNS_NAME_TOO_LONG"
  | "DNS_COUNT_OVERSIZED"
  | "DNS_BAD_RDATA"
  | "DNS_TRAILING_BYTES"
  | "DNS_FRAME_LENGTH";

/** Reads one DNS message (UDP payload, or one TCP frame without its length prefix); never throws. */
export function parseDnsMessage(bytes: Uint8Array, source = "dns"): Result<DnsMessage> {
  const reader = new Reader(bytes, source);
  const message = reader.message();
  if (reader.problem !== undefined) return fail(reader.problem);
  return ok(message as DnsMessage);
}

/** Splits a TCP byte stream into messages by their 2-byte length prefixes (RFC 1035 §4.2.2); a cut-off tail is `rest`. */
export function splitDnsTcpStream(stream: Uint8Array): { readonly messages: Uint8Array[]; readonly rest: Uint8Array } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (at + 2 <= stream.length) {
    const length = ((stream[at] as number) << 8) | (stream[at + 1] as number);
    if (at + 2 + length > stream.length) break;
    messages.push(stream.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { messages, rest: stream.subarray(at) };
}

/** Reads the one message of a TCP frame (2-byte length prefix, then exactly that many bytes). */
export function parseDnsTcpFrame(frame: Uint8Array, source = "dns:tcp"): Result<DnsMessage> {
  if (frame.length < 2)
    return fail(problem(source, "DNS_TRUNCATED", "length", "a 2-byte length prefix", `${frame.length} bytes`, "TCP frame shorter than its length prefix"));
  const length = ((frame[0] as number) << 8) | (frame[1] as number);
  if (frame.length - 2 !== length) {
    return fail(
      problem(
        source,
        "DNS_FRAME_LENGTH",
        "length",
        `${length} bytes after the prefix`,
        `${frame.length - 2}`,
        `TCP frame announces ${length} bytes but carries ${frame.length - 2}`,
      ),
    );
  }
  return parseDnsMessage(frame.subarray(2), source);
}

/** Prefixes a message with its 2-byte length for TCP. */
export function frameDnsTcp(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}

/** The name of a record type ("A", "AAAA", …; "TYPE<n>" for others, RFC 3597). */
export function dnsTypeName(type: number): string {
  for (const [name, value] of Object.entries(DNS_TYPE)) if (value === type) return name;
  return `TYPE${type}`;
}

/** The name of a response code ("NXDOMAIN", …; "RCODE<n>" for others). */
export function dnsRcodeName(rcode: number): string {
  return DNS_RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

// --- internal ---

const HEADER_BYTES = 12;
// Smallest question: root name (1) + type + class; smallest record: root name + 10 fixed bytes.
const MIN_QUESTION_BYTES = 5;
const MIN_RECORD_BYTES = 11;

function problem(source: string, code: DnsProblemCode, path: string, expected: string, received: string, message: string): Issue {
  return { code, file: source, path, expected, received, message };
}

/** A bounds-checked cursor; the first problem stops reading. */
class Reader {
  problem: Issue | undefined;
  #at = 0;
  readonly #bytes: Uint8Array;
  readonly #source: string;

  constructor(bytes: Uint8Array, source: string) {
    this.#bytes = bytes;
    this.#source = source;
  }

  message(): DnsMessage | undefined {
    if (!this.#need(HEADER_BYTES, "header")) return undefined;
    const id = this.#u16();
    const flags = this.#u16();
    const counts = [this.#u16(), this.#u16(), this.#u16(), this.#u16()] as const;
    const [qd, an, ns, ar] = counts;
    // Counts that cannot fit in the bytes left are refused before any loop runs on them.
    const left = this.#bytes.length - HEADER_BYTES;
    const least = qd * MIN_QUESTION_BYTES + (an + ns + ar) * MIN_RECORD_BYTES;
    if (least > left) {
      this.#fail(
        "DNS_COUNT_OVERSIZED",
        "header.counts",
        `counts whose records fit in ${left} bytes`,
        `qd=${qd} an=${an} ns=${ns} ar=${ar}`,
        `header counts need at least ${least} bytes but only ${left} follow the header`,
      );
      return undefined;
    }
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < qd; i++) {
      const name = this.#name(`questions.${i}.name`);
      if (name === undefined || !this.#need(4, `questions.${i}`)) return undefined;
      questions.push({ name, type: this.#u16(), class: this.#u16() });
    }
    const answers: DnsRecord[] = [];
    for (let i = 0; i < an; i++) {
      const record = this.#record(`answers.${i}`);
      if (record === undefined) return undefined;
      answers.push(record);
    }
    // Authority and additional records are walked (so their damage counts) but not kept.
    for (let i = 0; i < ns + ar; i++) if (this.#record(`${i < ns ? "authority" : "additional"}.${i < ns ? i : i - ns}`) === undefined) return undefined;
    if (this.#at !== this.#bytes.length) {
      this.#fail(
        "DNS_TRAILING_BYTES",
        "",
        `${this.#at} bytes`,
        `${this.#bytes.length} bytes`,
        `${this.#bytes.length - this.#at} bytes follow the last record the header announces`,
      );
      return undefined;
    }
    return {
      id,
      isResponse: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      rcode: flags & 0xf,
      truncated: (flags & 0x0200) !== 0,
      recursionDesired: (flags & 0x0100) !== 0,
      questions,
      answers,
      authorityCount: ns,
      additionalCount: ar,
    };
  }

  #record(path: string): DnsRecord | undefined {
    const name = this.#name(`${path}.name`);
    if (name === undefined || !this.#need(10, path)) return undefined;
    const type = this.#u16();
    const klass = this.#u16();
    const ttl = this.#u32();
    const length = this.#u16();
    if (!this.#need(length, `${path}.rdata`)) return undefined;
    const start = this.#at;
    let data: DnsRecordData;
    if (type === DNS_TYPE.A || type === DNS_TYPE.AAAA) {
      const size = type === DNS_TYPE.A ? 4 : 16;
      if (length !== size) {
        this.#fail(
          "DNS_BAD_RDATA",
          `${path}.rdata`,
          `${size} bytes for ${dnsTypeName(type)}`,
          `${length}`,
          `${dnsTypeName(type)} record with ${length} rdata bytes`,
        );
        return undefined;
      }
      const raw = this.#bytes.subarray(start, start + size);
      data = type === DNS_TYPE.A ? { kind: "A", address: raw.join(".") } : { kind: "AAAA", address: formatIpBytes({ version: 6, bytes: raw }) };
      this.#at += size;
    } else if (type === DNS_TYPE.CNAME) {
      const target = this.#name(`${path}.rdata`);
      if (target === undefined) return undefined;
      if (this.#at !== start + length) {
        this.#fail(
          "DNS_BAD_RDATA",
          `${path}.rdata`,
          `a name filling ${length} rdata bytes`,
          `${this.#at - start} bytes`,
          "CNAME rdata length disagrees with its name",
        );
        return undefined;
      }
      data = { kind: "CNAME", target };
    } else {
      data = { kind: "other", length };
      this.#at += length;
    }
    return { name, type, class: klass, ttl, data };
  }

  // Reads a possibly compressed name at the cursor and leaves the cursor after its in-place part.
  #name(path: string): string | undefined {
    const bytes = this.#bytes;
    const labels: string[] = [];
    let wire = 1; // the terminating zero byte
    let at = this.#at;
    let segmentStart = at;
    let resume = -1;
    for (;;) {
      if (at >= bytes.length) return this.#truncated(path, "a label length byte");
      const length = bytes[at] as number;
      if (length === 0) {
        at += 1;
        break;
      }
      const tag = length & 0xc0;
      if (tag === 0xc0) {
        if (at + 1 >= bytes.length) return this.#truncated(path, "a 2-byte compression pointer");
        const target = ((length & 0x3f) << 8) | (bytes[at + 1] as number);
        // Each jump must land before the segment it leaves, so positions strictly decrease and
        // every chain ends; equal or later targets are a loop or a forward reference.
        if (target > at) {
          return this.#fail(
            "DNS_POINTER_FORWARD",
            path,
            `a pointer to an offset below ${at}`,
            `${target}`,
            `compression pointer at ${at} points forward to ${target}`,
          );
        }
        if (target >= segmentStart) {
          return this.#fail(
            "DNS_POINTER_LOOP",
            path,
            `a pointer to an offset below ${segmentStart}`,
            `${target}`,
            `compression pointer at ${at} points back into its own name (${target}): a loop`,
          );
        }
        if (resume < 0) resume = at + 2;
        at = target;
        segmentStart = target;
        continue;
      }
      if (tag !== 0) {
        return this.#fail(
          "DNS_LABEL_TOO_LONG",
          path,
          `a label of at most ${DNS_LIMITS.labelBytes} bytes`,
          `length byte 0x${length.toString(16)}`,
          `label length byte 0x${length.toString(16)} is above ${DNS_LIMITS.labelBytes} (reserved label type)`,
        );
      }
      wire += length + 1;
      if (wire > DNS_LIMITS.nameBytes) {
        return this.#fail(
          "DNS_NAME_TOO_LONG",
          path,
          `a name of at most ${DNS_LIMITS.nameBytes} bytes`,
          `${wire}+ bytes`,
          `name exceeds ${DNS_LIMITS.nameBytes} bytes on the wire`,
        );
      }
      if (at + 1 + length > bytes.length) return this.#truncated(path, `a ${length}-byte label`);
      labels.push(presentLabel(bytes.subarray(at + 1, at + 1 + length)));
      at += 1 + length;
    }
    this.#at = resume >= 0 ? resume : at;
    return labels.length === 0 ? "." : labels.join(".");
  }

  #need(count: number, path: string): boolean {
    if (this.#at + count <= this.#bytes.length) return true;
    this.#truncated(path, `${count} more bytes`);
    return false;
  }

  #truncated(path: string, expected: string): undefined {
    return this.#fail(
      "DNS_TRUNCATED",
      path,
      expected,
      `end of packet at ${this.#bytes.length} bytes`,
      `packet ends at ${this.#bytes.length} bytes while reading ${path}`,
    );
  }

  #fail(code: DnsProblemCode, path: string, expected: string, received: string, message: string): undefined {
    this.problem ??= problem(this.#source, code, path, expected, received, message);
    return undefined;
  }

  #u16(): number {
    const value = ((this.#bytes[this.#at] as number) << 8) | (this.#bytes[this.#at + 1] as number);
    this.#at += 2;
    return value;
  }

  #u32(): number {
    const value = this.#u16() * 0x10000 + this.#u16();
    return value;
  }
}

// Presentation form (RFC 1035 §5.1, RFC 4343): ASCII lower-cased, since names compare
// case-insensitively and resolvers randomise case (0x20 encoding); other bytes as \DDD.
function presentLabel(label: Uint8Array): string {
  let out = "";
  for (const byte of label) {
    if (byte >= 0x41 && byte <= 0x5a) out += String.fromCharCode(byte + 32);
    else if (byte === 0x2e || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, "0")}`;
  }
  return out;
}
