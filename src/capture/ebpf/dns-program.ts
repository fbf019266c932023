// DNS on the session's sockets: a cgroup socket-buffer program on the session cgroup (it runs for
// the session's packets only) copies every UDP or TCP payload to or from port 53 into a DNS
// record, in both directions. Names are parsed in user space, defensively.
import { add, and, call, exit, goTo, Helper, jump, label, load, lsh, mov, R0, R1, R10, R2, R3, R4, R6, R7, R8, R9, rsh, store, sub, type Program } from "../../bpf/index.ts";
import { bump, emit, fresh, scratchRecord, ScratchSlot, setBit } from "./_program-blocks.ts";
import { Counter, DNS, DNS_HOOK, DNS_MAX_BYTES, HEADER, RecordBit, RecordType } from "./record-layout.ts";

/** Which way the packets go. */
export type DnsDirection = "sent" | "received";

/** `cgroup_skb/egress` (sent) or `cgroup_skb/ingress` (received) on the session cgroup. */
export function dnsPacketProgram(direction: DnsDirection): Program {
  const out = fresh("out");
  const ipv4 = fresh("ipv4");
  const ipv6 = fresh("ipv6");
  const transport = fresh("transport");
  const tcp = fresh("tcp");
  const ports = fresh("ports");
  const sized = fresh("sized");
  const received = direction === "received";
  // Stack: the first byte, then the IPv4 (20) or IPv6 (40) header, then the transport header.
  const firstByte = -8;
  const ipHeader = -48;
  const transportHeader = -72;
  // Copies `bytes` of the packet at `offset` (a register or a number) to the stack at `to`.
  const loadBytes = (offset: number | typeof R7, to: number, bytes: number): Program => [
    mov(R1, R6),
    mov(R2, offset),
    mov(R3, R10),
    add(R3, to),
    mov(R4, bytes),
    call(Helper.skb_load_bytes),
    jump("jne", R0, 0, out),
  ];
  const copy = (from: number, to: number, bytes: number): Program => {
    const words: Program[] = [];
    for (let at = 0; at < bytes; at += 4) words.push([load("u32", R1, R10, from + at), store("u32", R7, to + at, R1)]);
    return words;
  };
  return [
    mov(R6, R1),
    scratchRecord(R7, out, received ? ScratchSlot.RECEIVED : ScratchSlot.SENT),
    // the record's fixed part, addresses zeroed (an IPv4 address fills 4 of 16 bytes)
    [0, 8, 16, 24, 32, 40, 48].map((at) => store("u64", R7, DNS.direction + at, 0)),
    store("u8", R7, HEADER.type, RecordType.DNS),
    store("u8", R7, HEADER.hook, DNS_HOOK),
    store("u16", R7, HEADER.bits, 0),
    store("u32", R7, HEADER.tgid, 0),
    store("u32", R7, HEADER.tid, 0),
    store("u8", R7, DNS.direction, received ? 1 : 0),

    // the IP version is the first nibble of the network header (where cgroup_skb's data starts)
    loadBytes(0, firstByte, 1),
    load("u8", R1, R10, firstByte),
    rsh(R1, 4),
    jump("jeq", R1, 4, ipv4),
    jump("jeq", R1, 6, ipv6),
    goTo(out),

    label(ipv4),
    loadBytes(0, ipHeader, 20),
    store("u8", R7, DNS.version, 4),
    load("u8", R8, R10, ipHeader + 9),
    load("u8", R1, R10, ipHeader),
    and(R1, 0x0f),
    lsh(R1, 2),
    mov(R9, R1),
    // source and destination, local and remote by direction
    copy(ipHeader + (received ? 16 : 12), DNS.local, 4),
    copy(ipHeader + (received ? 12 : 16), DNS.remote, 4),
    goTo(transport),

    label(ipv6),
    loadBytes(0, ipHeader, 40),
    store("u8", R7, DNS.version, 6),
    // extension headers are not followed: DNS over them is not recorded (README)
    load("u8", R8, R10, ipHeader + 6),
    mov(R9, 40),
    copy(ipHeader + (received ? 24 : 8), DNS.local, 16),
    copy(ipHeader + (received ? 8 : 24), DNS.remote, 16),

    // R8 the protocol, R9 the transport header's offset
    label(transport),
    store("u8", R7, DNS.protocol, R8),
    jump("jeq", R8, 6, tcp),
    jump("jne", R8, 17, out),
    loadBytes(R9, transportHeader, 8),
    add(R9, 8),
    goTo(ports),
    label(tcp),
    loadBytes(R9, transportHeader, 20),
    load("u8", R1, R10, transportHeader + 12),
    rsh(R1, 4),
    lsh(R1, 2),
    add(R9, R1),
    label(ports),
    // only packets to port 53 (sent) or from it (received); ports stay in network order
    load("u16", R1, R10, transportHeader + (received ? 0 : 2)),
    jump("jne", R1, 0x3500, out),
    load("u16", R1, R10, transportHeader + (received ? 2 : 0)),
    store("u16", R7, DNS.localPort, R1),
    load("u16", R1, R10, transportHeader + (received ? 0 : 2)),
    store("u16", R7, DNS.remotePort, R1),
    // the payload: skb->len minus the headers; nothing to keep for a bare TCP ACK
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
    // cgroup_skb: 1 lets the packet pass (capture never changes the workload's traffic)
    label(out),
    mov(R0, 1),
    exit(),
  ];
}
