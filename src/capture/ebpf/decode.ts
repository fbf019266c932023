import { ipv4Endpoint, ipv6Endpoint } from "../endpoint.ts";
import type { CaptureLoss, HookCount, KernelRecord } from "../types.ts";
import { HOOK_IDS, STRLEN } from "./program.ts";

/** One line of `bpftrace -f json` output from our program, decoded. */
export type BpftraceLine =
  | { readonly kind: "record"; readonly hook: HookName; readonly record: KernelRecord }
  | { readonly kind: "marker"; readonly target: number }
  | { readonly kind: "attached"; readonly probes: number }
  | { readonly kind: "counters"; readonly map: string; readonly counts: ReadonlyMap<HookName, number> }
  | { readonly kind: "lost"; readonly events: number }
  | { readonly kind: "blank" }
  | { readonly kind: "undecodable"; readonly text: string };

/** A hook of the capture, as counted in `CaptureLoss.hooks`. */
export type HookName = keyof CaptureLoss["hooks"];

/** Decodes one stdout line of our bpftrace program (pure; the line has no trailing newline). */
export function decodeBpftraceLine(line: string): BpftraceLine {
  if (line.trim() === "") return { kind: "blank" };
  let doc: unknown;
  try {
    doc = JSON.parse(byteEscapesToLatin1(line));
  } catch {
    return { kind: "undecodable", text: line };
  }
  if (!isObject(doc)) return { kind: "undecodable", text: line };
  const data = doc.data;
  switch (doc.type) {
    case "printf":
      return typeof data === "string" ? decodePrintf(bytesToText(data), line) : { kind: "undecodable", text: line };
    case "attached_probes":
      return { kind: "attached", probes: isObject(data) && typeof data.probes === "number" ? data.probes : 0 };
    case "lost_events":
      return { kind: "lost", events: isObject(data) && typeof data.events === "number" ? data.events : 0 };
    case "map":
      return decodeMap(data, line);
    default:
      return { kind: "undecodable", text: line };
  }
}

/** Accumulates loss and per-hook counters over every decoded line of one capture (§5.6). */
export class BpftraceLossCounter {
  readonly #received = new Map<HookName, number>();
  readonly #emitted = new Map<HookName, number>();
  readonly #noPeer = new Map<HookName, number>();
  readonly #nonIp = new Map<HookName, number>();
  #lost = 0;
  #undecodable = 0;
  #truncated = 0;
  #sawCounters = false;

  /** Counts one decoded line. */
  add(line: BpftraceLine): void {
    switch (line.kind) {
      case "record":
        this.#received.set(line.hook, (this.#received.get(line.hook) ?? 0) + 1);
        if (line.record.truncated === true) this.#truncated += 1;
        return;
      case "lost":
        this.#lost += line.events;
        return;
      case "undecodable":
        this.#undecodable += 1;
        return;
      case "counters": {
        this.#sawCounters = true;
        const target = line.map === "@emitted" ? this.#emitted : line.map === "@no_peer" ? this.#noPeer : line.map === "@non_ip" ? this.#nonIp : undefined;
        for (const [hook, count] of line.counts) target?.set(hook, count);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The loss record: a hook's drops are what the kernel counted as emitted but never arrived,
   * and the ring drops are at least bpftrace's own lost-event reports.
   */
  loss(): CaptureLoss {
    const hooks = Object.fromEntries(
      hookNames.map((hook): [HookName, HookCount] => {
        const received = this.#received.get(hook) ?? 0;
        const emitted = this.#sawCounters ? Math.max(this.#emitted.get(hook) ?? 0, received) : received;
        return [hook, { emitted: received, dropped: emitted - received }];
      }),
    ) as Record<HookName, HookCount>;
    const hookDrops = Object.values(hooks).reduce((sum, hook) => sum + hook.dropped, 0);
    return {
      ringbufDrops: Math.max(this.#lost, hookDrops),
      // Without the final counters nothing proves the capture was whole: count that as undecodable.
      eventSizeMismatch: this.#undecodable + (this.#sawCounters ? 0 : 1),
      hooks,
      sendNoRecoverablePeer: { sendto: this.#noPeer.get("sendto") ?? 0, sendmsg: this.#noPeer.get("sendmsg") ?? 0 },
      sendNonIpFamily: { sendto: this.#nonIp.get("sendto") ?? 0, sendmsg: this.#nonIp.get("sendmsg") ?? 0 },
      truncatedPaths: this.#truncated,
    };
  }
}

// --- internal ---

const hookNames: readonly HookName[] = ["openat", "openat2", "open", "creat", "connect", "sendto", "sendmsg", "exec"];
const hookById: ReadonlyMap<number, HookName> = new Map(Object.entries(HOOK_IDS).map(([name, id]) => [id, name as HookName]));
const eventTypeByHook: Readonly<Record<HookName, number>> = { openat: 1, openat2: 1, open: 1, creat: 1, connect: 2, sendto: 6, sendmsg: 7, exec: 4 };
const encoder = new TextEncoder();

// bpftrace 0.17 escapes every byte >= 0x80 of printf data as a sign-extended `\uffffffXX` (not
// valid JSON: JSON.parse would read U+FFFF then "ffXX"). Turn each into `\u00XX` so that after
// parsing every char of the data is one byte; escaped backslashes are consumed in pairs first.
function byteEscapesToLatin1(line: string): string {
  return line.replace(/\\(\\|uffffff([0-9a-f]{2}))/g, (whole, _escape: string, byte: string | undefined) => (byte === undefined ? whole : `\\u00${byte}`));
}

// The data is a byte string (one char per byte, see above): decode it as UTF-8, lossily like
// upstream's String::from_utf8_lossy (invalid sequences become U+FFFD).
function bytesToText(data: string): string {
  return /[^\x00-\x7f]/.test(data) ? Buffer.from(data, "latin1").toString("utf8") : data;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodePrintf(data: string, line: string): BpftraceLine {
  const marker = /^M\t(-?\d+)\n$/.exec(data);
  // The program prints kill's pid argument as its low 32 bits: read them as a signed pid_t.
  if (marker) return { kind: "marker", target: Number(BigInt.asIntN(32, BigInt(marker[1] ?? "0"))) };
  if (!data.endsWith("\n")) return { kind: "undecodable", text: line };
  const body = data.slice(0, -1);
  const tag = body.slice(0, 2);
  // The path is the last field, so tabs inside it survive: split off a fixed number of fields.
  const fieldCount = tag === "O\t" ? 8 : tag === "E\t" ? 4 : tag === "N\t" ? 0 : -1;
  if (fieldCount < 0) return { kind: "undecodable", text: line };
  const fields = fieldCount === 0 ? body.split("\t") : splitFields(body, fieldCount);
  const pid = integer(fields[1]);
  const hook = hookById.get(integer(fields[2]) ?? -1);
  if (pid === undefined || hook === undefined) return { kind: "undecodable", text: line };
  const eventType = eventTypeByHook[hook];
  if (tag === "E\t" && hook === "exec") {
    const path = fields[3] ?? "";
    return { kind: "record", hook, record: withTruncation({ pid, eventType, value: path }, path) };
  }
  if (tag === "O\t" && eventType === 1) {
    const [flags, mode, resolve, returnValue] = fields.slice(3, 7).map(integer);
    const path = fields[7] ?? "";
    if (flags === undefined || mode === undefined || resolve === undefined || returnValue === undefined) return { kind: "undecodable", text: line };
    const record: KernelRecord = { pid, eventType, value: path, flags, mode, resolve, returnValue };
    return { kind: "record", hook, record: withTruncation(record, path) };
  }
  if (tag === "N\t" && (hook === "connect" || hook === "sendto" || hook === "sendmsg")) {
    const value = decodePeer(fields.slice(3).map(integer));
    return value === undefined ? { kind: "undecodable", text: line } : { kind: "record", hook, record: { pid, eventType, value } };
  }
  return { kind: "undecodable", text: line };
}

function splitFields(body: string, count: number): string[] {
  const fields: string[] = [];
  let rest = body;
  for (let i = 0; i < count - 1; i += 1) {
    const tab = rest.indexOf("\t");
    if (tab < 0) break;
    fields.push(rest.slice(0, tab));
    rest = rest.slice(tab + 1);
  }
  fields.push(rest);
  return fields;
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

// A path that filled bpftrace's buffer (STRLEN - 1 bytes before the NUL) may have been cut: flag it
// (a path of exactly that length is flagged too — conservative, never silent).
function withTruncation(record: KernelRecord, path: string): KernelRecord {
  return encoder.encode(path).length >= STRLEN - 1 ? { ...record, truncated: true } : record;
}

// Fields after the hook: family, port as read in host (little-endian) order, then 1 or 4 address
// words in host order. The decoders assume a little-endian recording host (x86_64, arm64).
function decodePeer(values: ReadonlyArray<number | undefined>): string | undefined {
  if (values.some((v) => v === undefined)) return undefined;
  const [family, rawPort, ...words] = values as number[];
  if (rawPort === undefined) return undefined;
  const port = ((rawPort & 0xff) << 8) | ((rawPort >> 8) & 0xff);
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((word, i) => {
    for (let b = 0; b < 4; b += 1) bytes[4 * i + b] = (word >>> (8 * b)) & 0xff;
  });
  if (family === 2 && words.length === 1) return ipv4Endpoint(bytes, port);
  if (family === 10 && words.length === 4) return ipv6Endpoint(bytes, port);
  return undefined;
}

function decodeMap(data: unknown, line: string): BpftraceLine {
  if (!isObject(data)) return { kind: "undecodable", text: line };
  const [name, entries] = Object.entries(data)[0] ?? [];
  if (name === undefined) return { kind: "undecodable", text: line };
  const counts = new Map<HookName, number>();
  if (isObject(entries)) {
    for (const [key, value] of Object.entries(entries)) {
      const hook = hookById.get(Number(key));
      if (hook !== undefined && typeof value === "number") counts.set(hook, value);
    }
  }
  return { kind: "counters", map: name, counts };
}
