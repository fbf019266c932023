// DNS on the session's sockets: a cgroup socket-buffer program on the session cgroup (it runs for
// the session's packets only) copies every UDP or TCP payload to or from port 53 into a DNS
// record, in both directions. Names are parsed in user space, defensively.
import {
  add,
  and,
  call,
  exit,
  goTo,
  Helper,
  jump,
  label,
  load,
  lsh,
  mov,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R6,
  R7,
  R8,
  R9,
  rsh,
  store,
  sub,
  type Program,
} from "../../bpf/index.ts";
import { bump, emit, fresh, scratchRecord, ScratchSlot, setBit } from "./_program-blocks.ts";
import { Counter, DNS, DNS_HOOK, DNS_MAX_BYTES, HEADER, RecordBit, RecordType } from "./record-layout.ts";

/** Which way the packets go. */
export type DnsDirection = "sent" | "received";

/** `cgroup_skb/egress` (sent) or `cgroup_skb/ingress` (received) on the session cgroup. */
export function dnsPacketProgram(direction: DnsDirection): Program {
  const out = fresh("out");
  const received = direction === "received";
  return [
    mov(R6, R1),
    recordStart(received, out),
    networkHeader(received, out),
    transportHeader(received, out),
    payload(out),
    // cgroup_skb: 1 lets the packet pass (capture never changes the workload's traffic)
    label(out),
    mov(R0, 1),
    exit(),
  ];
}

// --- internal ---

// Stack: the first byte, then the IPv4 (20) or IPv6 (40) header, then the transport header.
const FIRST_BYTE = -8;
const IP_HEADER = -48;
const TRANSPORT_HEADER = -72;

// R7 the DNS record in the scratch slot of this direction: its fixed part, addresses zeroed (an
// IPv4 address fills 4 of 16 bytes).
function recordStart(received: boolean, out: string): Program {
  return [
    scratchRecord(R7, out, received ? ScratchSlot.RECEIVED : ScratchSlot.SENT),
    [0, 8, 16, 24, 32, 40, 48].map((at) => store("u64", R7, DNS.direction + at, 0)),
    store("u8", R7, HEADER.type, RecordType.DNS),
    store("u8", R7, HEADER.hook, DNS_HOOK),
    store("u16", R7, HEADER.bits, 0),
    store("u32", R7, HEADER.tgid, 0),
    store("u32", R7, HEADER.tid, 0),
    store("u8", R7, DNS.direction, received ? 1 : 0),
  ];
}

// IPv4 or IPv6 (anything else is not recorded): the version and both addresses, local and remote
// by direction, into the record; leaves R8 the protocol and R9 the transport header's offset.
function networkHeader(received: boolean, out: string): Program {
  const ipv4 = fresh("ipv4");
  const ipv6 = fresh("ipv6");
  const transport = fresh("transport");
  return [
    // the IP version is the first nibble of the network header (where cgroup_skb's data starts)
    loadBytes(0, FIRST_BYTE, 1, out),
    load("u8", R1, R10, FIRST_BYTE),
    rsh(R1, 4),
    jump("jeq", R1, 4, ipv4),
    jump("jeq", R1, 6, ipv6),
    goTo(out),

    label(ipv4),
    loadBytes(0, IP_HEADER, 20, out),
    store("u8", R7, DNS.version, 4),
    load("u8", R8, R10, IP_HEADER + 9),
    load("u8", R1, R10, IP_HEADER),
    and(R1, 0x0f),
    lsh(R1, 2),
    mov(R9, R1),
    // source and destination, local and remote by direction
    copyToRecord(IP_HEADER + (received ? 16 : 12), DNS.local, 4),
    copyToRecord(IP_HEADER + (received ? 12 : 16), DNS.remote, 4),
    goTo(transport),

    label(ipv6),
    loadBytes(0, IP_HEADER, 40, out),
    store("u8", R7, DNS.version, 6),
    // extension headers are not followed: DNS over them is not recorded (README)
    load("u8", R8, R10, IP_HEADER + 6),
    mov(R9, 40),
    copyToRecord(IP_HEADER + (received ? 24 : 8), DNS.local, 16),
    copyToRecord(IP_HEADER + (received ? 8 : 24), DNS.remote, 16),
    label(transport),
  ];
}

// UDP or TCP (R8) at R9: only packets to port 53 (sent) or from it (received); the protocol and
// both ports (in network order) into the record, R9 moved past the transport header.
function transportHeader(received: boolean, out: string): Program {
  const tcp = fresh("tcp");
  const ports = fresh("ports");
  return [
    store("u8", R7, DNS.protocol, R8),
    jump("jeq", R8, 6, tcp),
    jump("jne", R8, 17, out),
    loadBytes(R9, TRANSPORT_HEADER, 8, out),
    add(R9, 8),
    goTo(ports),
    label(tcp),
    loadBytes(R9, TRANSPORT_HEADER, 20, out),
    load("u8", R1, R10, TRANSPORT_HEADER + 12),
    rsh(R1, 4),
    lsh(R1, 2),
    add(R9, R1),
    label(ports),
    load("u16", R1, R10, TRANSPORT_HEADER + (received ? 0 : 2)),
    jump("jne", R1, 0x3500, out),
    load("u16", R1, R10, TRANSPORT_HEADER + (received ? 2 : 0)),
    store("u16", R7, DNS.localPort, R1),
    load("u16", R1, R10, TRANSPORT_HEADER + (received ? 0 : 2)),
    store("u16", R7, DNS.remotePort, R1),
  ];
}

// The payload at R9: skb->len minus the headers, cut at DNS_MAX_BYTES (counted), copied into the
// record, which is emitted; nothing to keep for a bare TCP ACK.
function payload(out: string): Program {
  const sized = fresh("sized");
  return [
    load("u32", R8, R6, 0),
    sub(R8, R9),
    jump("jsle", R8, 0, out),
    jump("jle", R8, DNS_MAX_BYTES, sized),
    mov(R8, DNS_MAX_BYTES),
    setBit(R7, RecordBit.CUT),
    bump(Counter.DNS_CUT),
    label(sized),
    store("u32", R7, HEADER.length, R8),
    mov(R1, R6),
    mov(R2, R9),
    mov(R3, R7),
    add(R3, DNS.payload),
    mov(R4, R8),
    call(Helper.skb_load_bytes),
    jump("jne", R0, 0, out),
    mov(R2, R7),
    mov(R3, R8),
    add(R3, DNS.payload),
    emit(DNS_HOOK),
  ];
}

// Copies `bytes` of the packet at `offset` (a register or a number) to the stack at `to`; a
// packet too short for them is not recorded.
function loadBytes(offset: number | typeof R7, to: number, bytes: number, out: string): Program {
  return [mov(R1, R6), mov(R2, offset), mov(R3, R10), add(R3, to), mov(R4, bytes), call(Helper.skb_load_bytes), jump("jne", R0, 0, out)];
}

// Copies `bytes` (a multiple of 4) from the stack at `from` into the record (R7) at `to`.
function copyToRecord(from: number, to: number, bytes: number): Program {
  const words: Program[] = [];
  for (let at = 0; at < bytes; at += 4) words.push([load("u32", R1, R10, from + at), store("u32", R7, to + at, R1)]);
  return words;
}
