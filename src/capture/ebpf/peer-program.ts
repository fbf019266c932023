// connect, sendto, sendmsg at syscall entry (tail-called by the raw `sys_enter`): the peer's
// sockaddr, IPv4 and IPv6 only (§5.2).
import { add, call, goTo, Helper, jump, label, load, mov, R0, R1, R10, R2, R3, R7, R8, R9, store, type Program } from "../../bpf/index.ts";
import {
  argument,
  bump,
  emit,
  epilogue,
  fresh,
  nativeSyscall,
  output,
  prologue,
  scratchRecord,
  sessionFilter,
  Stack,
  writeHeader,
  zeroStack,
} from "./_program-blocks.ts";
import { rememberPending } from "./open-programs.ts";
import { Counter, HEADER, HOOK_IDS, PEER, PendingState, RecordType, UNIX, UNIX_PATH_READ } from "./record-layout.ts";

/** The hooks that carry a peer address. */
export type PeerHook = "connect" | "sendto" | "sendmsg";

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
// Bytes of sockaddr_in up to and with sin_addr, and of sockaddr_in6 up to and with sin6_addr.
const SOCKADDR_IN_BYTES = 8;
const SOCKADDR_IN6_BYTES = 24;

/** `hook`'s entry: session filter, sockaddr pointer, PEER record. */
export function peerEnterProgram(hook: PeerHook): Program {
  const out = fresh("out");
  const record = Stack.PEER_RECORD;
  const ipv4 = fresh("ipv4");
  const ipv6 = fresh("ipv6");
  const send = fresh("send");
  const unreadable = fresh("unreadable");
  const unix = fresh("unix");
  const readInto = (bytes: number): Program => [
    mov(R1, R10),
    add(R1, record + PEER.sockaddr),
    mov(R2, bytes),
    mov(R3, R8),
    call(Helper.probe_read_user),
    jump("jne", R0, 0, unreadable),
  ];
  return [
    prologue(),
    sessionFilter(out),
    nativeSyscall(out),
    sockaddrPointer(hook, out),
    zeroStack(record, PEER.size),
    writeHeader(R10, record, RecordType.PEER, HOOK_IDS[hook]),
    // the family first, then as many bytes as that family's sockaddr holds
    readInto(2),
    load("u16", R1, R10, record + PEER.family),
    jump("jeq", R1, AF_INET, ipv4),
    jump("jeq", R1, AF_INET6, ipv6),
    hook === "connect" ? [jump("jeq", R1, AF_UNIX, unix)] : [],
    hook === "connect" ? [] : bump(hook === "sendto" ? Counter.NON_IP_SENDTO : Counter.NON_IP_SENDMSG),
    goTo(out),
    label(ipv4),
    readInto(SOCKADDR_IN_BYTES),
    goTo(send),
    label(ipv6),
    readInto(SOCKADDR_IN6_BYTES),
    label(send),
    mov(R2, R10),
    add(R2, record),
    mov(R3, PEER.size),
    emit(HOOK_IDS[hook]),
    goTo(out),
    label(unreadable),
    bump(Counter.PEER_UNREADABLE),
    goTo(out),
    hook === "connect" ? unixPeer(unix, out) : [],
    epilogue(out),
  ];
}

// --- internal ---

// A connect to a unix socket: its path, in a UNIX record whose return value the exit adds (only a
// connect that reached a listener hands work to a daemon). Not a row: it feeds the daemon_handoff note.
function unixPeer(at: string, out: string): Program {
  return [
    label(at),
    scratchRecord(R7, out),
    writeHeader(R7, 0, RecordType.UNIX, HOOK_IDS.connect),
    mov(R1, R7),
    add(R1, UNIX.path),
    mov(R2, UNIX_PATH_READ),
    mov(R3, R8),
    add(R3, 2),
    call(Helper.probe_read_user_str),
    jump("jsle", R0, 0, out),
    mov(R9, R0),
    jump("jgt", R9, UNIX_PATH_READ, out),
    store("u32", R7, HEADER.length, R9),
    mov(R2, R7),
    mov(R3, R9),
    add(R3, UNIX.path),
    output({ dropped: Counter.UNIX_DROPPED }, [], rememberPending(PendingState.EMITTED, HOOK_IDS.connect)),
    goTo(out),
  ];
}

// Leaves the user sockaddr pointer in R8; a send without one (a connected socket) is counted.
// connect(fd, uservaddr, addrlen), sendto(fd, buff, len, flags, addr, addr_len), sendmsg(fd, msg, flags).
function sockaddrPointer(hook: PeerHook, out: string): Program {
  if (hook === "connect") return [argument(R8, 1), jump("jeq", R8, 0, out)];
  const noPeer = fresh("no_peer");
  const hasPeer = fresh("has_peer");
  const counted: Program = [label(noPeer), bump(hook === "sendto" ? Counter.NO_PEER_SENDTO : Counter.NO_PEER_SENDMSG), goTo(out), label(hasPeer)];
  if (hook === "sendto") return [argument(R8, 4), jump("jne", R8, 0, hasPeer), goTo(noPeer), counted];
  // sendmsg: struct user_msghdr starts with msg_name
  return [
    argument(R3, 1),
    mov(R1, R10),
    add(R1, Stack.USER_POINTER),
    mov(R2, 8),
    call(Helper.probe_read_user),
    jump("jne", R0, 0, noPeer),
    load("u64", R8, R10, Stack.USER_POINTER),
    jump("jne", R8, 0, hasPeer),
    goTo(noPeer),
    counted,
  ];
}
