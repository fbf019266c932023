// Decodes the native engine's ring-buffer records into kernel records (pure: bytes in, records
// and counts out). An OPEN sent at entry waits for its thread's RETURN; an EXEC takes the ARGV
// its thread recorded at execve.
import { DNS_ANSWER_EVENT_TYPE, DNS_QUERY_EVENT_TYPE, formatIpv4, formatIpv6 } from "../../schema/index.ts";
import { ipv4Endpoint, ipv6Endpoint } from "../endpoint.ts";
import { EVENT_UNIX_CONNECT, type DnsPacket, type KernelRecord } from "../types.ts";
import { ARGV, DNS, DNS_HOOK, EXEC, HEADER, HOOK_IDS, OPEN, PEER, RecordBit, RecordType, RETURN, UNIX, type HookName } from "./record-layout.ts";

/** What the decoder saw besides records: per-hook arrivals and records it could not use. */
export interface DecodeTally {
  /** Records that arrived, per hook. */
  readonly received: Readonly<Record<HookName, number>>;
  /** Records too short or of an unknown type. */
  readonly malformed: number;
  /** OPENs whose RETURN never arrived (the open is not a row: its outcome is unknown). */
  readonly returnsMissing: number;
  /** Paths and exec file names cut at PATH_READ bytes. */
  readonly cutStrings: number;
  /** Exec file names the kernel could not read. */
  readonly unreadableStrings: number;
}

/** Turns records, in arrival order, into kernel records. */
export class NativeDecoder {
  readonly #received: Record<HookName, number> = { openat: 0, openat2: 0, open: 0, creat: 0, connect: 0, sendto: 0, sendmsg: 0, exec: 0 };
  readonly #openByThread = new Map<number, KernelRecord>();
  readonly #argvByThread = new Map<number, { argv: string[]; cut: boolean }>();
  readonly #dns: DnsPacket[] = [];
  readonly #unixByThread = new Map<number, { pid: number; path: string | null }>();
  #malformed = 0;
  #returnsMissing = 0;
  #cut = 0;
  #unreadable = 0;

  /** Decodes one record; returns the kernel records it completes (none, one, or a stale one and a new one). */
  push(bytes: Uint8Array): KernelRecord[] {
    if (bytes.length < HEADER.size) return this.#malformedRecord();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const type = view.getUint8(HEADER.type);
    const hook = hookNames[view.getUint8(HEADER.hook)];
    const bits = view.getUint16(HEADER.bits, true);
    const tgid = view.getUint32(HEADER.tgid, true);
    const tid = view.getUint32(HEADER.tid, true);
    const length = view.getUint32(HEADER.length, true);
    if (type === RecordType.DNS && view.getUint8(HEADER.hook) === DNS_HOOK) return this.#dnsPacket(view, bytes, bits, length);
    if (hook === undefined) return this.#malformedRecord();
    switch (type) {
      case RecordType.OPEN:
        return this.#open(view, bytes, hook, bits, tgid, tid, length);
      case RecordType.RETURN:
        return hook === "connect" ? this.#unixReturn(view, bytes, tid) : this.#return(view, bytes, tid);
      case RecordType.UNIX:
        if (bytes.length < UNIX.path + length) return this.#malformedRecord();
        this.#unixByThread.set(tid, { pid: tgid, path: cString(bytes, UNIX.path, length) });
        return [];
      case RecordType.PEER:
        return this.#peer(view, bytes, hook, tgid);
      case RecordType.ARGV:
        return this.#argv(view, bytes, bits, tid, length);
      case RecordType.EXEC:
        return this.#exec(view, bytes, bits, tgid, length);
      default:
        return this.#malformedRecord();
    }
  }

  /** The DNS packets seen so far, in arrival order. */
  dnsPackets(): readonly DnsPacket[] {
    return this.#dns;
  }

  /** Ends the stream: OPENs still waiting for their return are counted, not guessed. */
  finish(): DecodeTally {
    this.#returnsMissing += this.#openByThread.size;
    this.#openByThread.clear();
    return {
      received: { ...this.#received },
      malformed: this.#malformed,
      returnsMissing: this.#returnsMissing,
      cutStrings: this.#cut,
      unreadableStrings: this.#unreadable,
    };
  }

  #open(view: DataView, bytes: Uint8Array, hook: HookName, bits: number, tgid: number, tid: number, length: number): KernelRecord[] {
    if (bytes.length < OPEN.path + length || !(hook in openEventHooks)) return this.#malformedRecord();
    this.#received[hook] += 1;
    const cut = (bits & RecordBit.CUT) !== 0;
    if (cut) this.#cut += 1;
    const record: KernelRecord = {
      pid: tgid,
      eventType: 1,
      value: cString(bytes, OPEN.path, length),
      flags: Number(view.getBigUint64(OPEN.flags, true) & 0xffffffffn),
      mode: Number(view.getBigUint64(OPEN.mode, true) & 0xffffffffn),
      resolve: safeNumber(view.getBigUint64(OPEN.resolve, true)),
      ...(cut ? { truncated: true } : {}),
    };
    if ((bits & RecordBit.HAS_RETURN) !== 0) return [{ ...record, returnValue: Number(view.getBigInt64(OPEN.returnValue, true)) }];
    // A thread's next OPEN before its RETURN: that RETURN was lost (counted by the kernel too).
    const stale = this.#openByThread.get(tid);
    if (stale !== undefined) this.#returnsMissing += 1;
    this.#openByThread.set(tid, record);
    return [];
  }

  #return(view: DataView, bytes: Uint8Array, tid: number): KernelRecord[] {
    if (bytes.length < RETURN.size) return this.#malformedRecord();
    const open = this.#openByThread.get(tid);
    if (open === undefined) return [];
    this.#openByThread.delete(tid);
    return [{ ...open, returnValue: Number(view.getBigInt64(RETURN.returnValue, true)) }];
  }

  // Only a connect that reached a listener (or is under way) hands anything to a daemon.
  #unixReturn(view: DataView, bytes: Uint8Array, tid: number): KernelRecord[] {
    if (bytes.length < RETURN.size) return this.#malformedRecord();
    const connect = this.#unixByThread.get(tid);
    this.#unixByThread.delete(tid);
    const result = Number(view.getBigInt64(RETURN.returnValue, true));
    if (connect === undefined || (result !== 0 && result !== -EINPROGRESS)) return [];
    return [{ pid: connect.pid, eventType: EVENT_UNIX_CONNECT, value: connect.path }];
  }

  #peer(view: DataView, bytes: Uint8Array, hook: HookName, tgid: number): KernelRecord[] {
    if (bytes.length < PEER.size || !(hook in peerEventTypes)) return this.#malformedRecord();
    this.#received[hook] += 1;
    const family = view.getUint16(PEER.family, true);
    const port = view.getUint16(PEER.port, false);
    const value =
      family === 2
        ? ipv4Endpoint(bytes.subarray(PEER.ipv4, PEER.ipv4 + 4), port)
        : family === 10
          ? ipv6Endpoint(bytes.subarray(PEER.ipv6, PEER.ipv6 + 16), port)
          : undefined;
    if (value === undefined) return this.#malformedRecord();
    return [{ pid: tgid, eventType: peerEventTypes[hook as keyof typeof peerEventTypes], value }];
  }

  #argv(_view: DataView, bytes: Uint8Array, bits: number, tid: number, length: number): KernelRecord[] {
    if (bytes.length < ARGV.strings + length) return this.#malformedRecord();
    const argv: string[] = [];
    let start = ARGV.strings;
    const end = ARGV.strings + length;
    for (let at = start; at < end; at += 1) {
      if (bytes[at] === 0) {
        argv.push(utf8.decode(bytes.subarray(start, at)));
        start = at + 1;
      }
    }
    // A last argument without its NUL was cut by the byte limit.
    if (start < end) argv.push(utf8.decode(bytes.subarray(start, end)));
    this.#argvByThread.set(tid, { argv, cut: (bits & (RecordBit.CUT | RecordBit.UNREADABLE)) !== 0 });
    return [];
  }

  #exec(view: DataView, bytes: Uint8Array, bits: number, tgid: number, length: number): KernelRecord[] {
    if (bytes.length < EXEC.filename + length) return this.#malformedRecord();
    this.#received.exec += 1;
    if ((bits & RecordBit.CUT) !== 0) this.#cut += 1;
    if ((bits & RecordBit.UNREADABLE) !== 0) this.#unreadable += 1;
    const oldPid = view.getUint32(EXEC.oldPid, true);
    const args = this.#argvByThread.get(oldPid);
    this.#argvByThread.delete(oldPid);
    const record: KernelRecord = {
      pid: tgid,
      eventType: 4,
      value: cString(bytes, EXEC.filename, length),
      ...((bits & RecordBit.CUT) !== 0 ? { truncated: true } : {}),
      ...(args === undefined ? {} : { argv: args.argv, ...(args.cut ? { argvTruncated: true } : {}) }),
    };
    return [record];
  }

  #dnsPacket(view: DataView, bytes: Uint8Array, bits: number, length: number): KernelRecord[] {
    if (bytes.length < DNS.payload + length) return this.#malformedRecord();
    const version = view.getUint8(DNS.version);
    if (version !== 4 && version !== 6) return this.#malformedRecord();
    const address = (at: number) => (version === 4 ? formatIpv4(bytes.subarray(at, at + 4)) : formatIpv6(bytes.subarray(at, at + 16)));
    const endpoint = (at: number, portAt: number) => {
      const port = view.getUint16(portAt, false);
      return version === 4 ? ipv4Endpoint(bytes.subarray(at, at + 4), port) : ipv6Endpoint(bytes.subarray(at, at + 16), port);
    };
    const packet: DnsPacket = {
      direction: view.getUint8(DNS.direction) === 1 ? "received" : "sent",
      transport: view.getUint8(DNS.protocol) === 6 ? "tcp" : "udp",
      local: endpoint(DNS.local, DNS.localPort),
      remote: endpoint(DNS.remote, DNS.remotePort),
      payload: bytes.slice(DNS.payload, DNS.payload + length),
      cut: (bits & RecordBit.CUT) !== 0,
    };
    this.#dns.push(packet);
    // In the record stream too, where it arrived, so a name's answer precedes the connect that used it.
    return [
      {
        pid: 0,
        eventType: packet.direction === "sent" ? DNS_QUERY_EVENT_TYPE : DNS_ANSWER_EVENT_TYPE,
        value: null,
        dnsPayload: {
          direction: packet.direction === "sent" ? "query" : "answer",
          bytes: packet.transport === "tcp" ? tcpMessage(packet.payload) : packet.payload,
          resolver: address(DNS.remote),
          resolverPort: view.getUint16(DNS.remotePort, false),
        },
      },
    ];
  }

  #malformedRecord(): KernelRecord[] {
    this.#malformed += 1;
    return [];
  }
}

// --- internal ---

const EINPROGRESS = 115;

// A TCP segment that starts a DNS message carries its 2-byte length first; what follows it is the
// message (a segment that continues one parses as garbage and is counted as unparseable).
function tcpMessage(payload: Uint8Array): Uint8Array {
  if (payload.length < 2) return payload;
  const length = (payload[0]! << 8) | payload[1]!;
  return payload.subarray(2, 2 + length);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const hookNames: ReadonlyArray<HookName | undefined> = (() => {
  const names: Array<HookName | undefined> = [];
  for (const [name, id] of Object.entries(HOOK_IDS)) names[id] = name as HookName;
  return names;
})();
const openEventHooks = { openat: true, openat2: true, open: true, creat: true } as const;
const peerEventTypes = { connect: 2, sendto: 6, sendmsg: 7 } as const;

// A C string of `length` bytes with its NUL (the kernel's count); lossy UTF-8 like upstream; empty → null.
function cString(bytes: Uint8Array, offset: number, length: number): string | null {
  let end = offset + length;
  while (end > offset && bytes[end - 1] === 0) end -= 1;
  return end === offset ? null : utf8.decode(bytes.subarray(offset, end));
}

function safeNumber(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.MAX_SAFE_INTEGER;
}
