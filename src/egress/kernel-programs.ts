// The egress programs: cgroup socket-address hooks on the session cgroup (they run for the
// session's sockets only). connect and unconnected sendmsg are allowed when a static tuple or an
// address a DNS answer gave for an allowed name matches; otherwise the attempt is recorded, and
// refused in block mode. Port-53 traffic goes to the runner's stub resolver, whose replies read
// as coming from the upstream resolver.
import {
  add,
  call,
  exit,
  Helper,
  jump,
  label,
  load,
  loadImm64,
  loadMap,
  lookupAt,
  mov,
  mov32,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R6,
  R7,
  rsh,
  store,
  type Program,
} from "../bpf/index.ts";

/** `struct bpf_sock_addr` offsets (include/uapi/linux/bpf.h). */
const SOCK_ADDR = { userIp4: 4, userIp6: 8, userPort: 24 } as const;

/** Map names the programs use. */
export const EgressMap = { PORT4: "port4", ANY4: "any4", PORT6: "port6", ANY6: "any6", EVENTS: "egress_events" } as const;

/** Key sizes of the allow tries: prefix length, then port and padding, then the address. */
export const TRIE_KEY = { port4: 12, any4: 8, port6: 24, any6: 20 } as const;

/** The record an attempt outside the policy writes (40 bytes). */
export const ATTEMPT = { type: 0, syscall: 1, blocked: 2, tgid: 4, tid: 8, family: 16, port: 18, address: 20, size: 40 } as const;
/** `ATTEMPT.type`'s value. */
export const ATTEMPT_TYPE = 7;
/** `ATTEMPT.syscall` values. */
export const AttemptSyscall = { CONNECT: 1, SENDMSG: 2 } as const;

/** What the programs need to know of the run. */
export interface EgressProgramOptions {
  readonly mode: "audit" | "block";
  /** The stub resolver (IPv4 loopback) and the upstream it forwards to; absent: DNS is policy like any traffic. */
  readonly stub?: { readonly address: Uint8Array; readonly port: number; readonly upstreamAddress: Uint8Array; readonly upstreamPort: number };
}

/** connect4 / sendmsg4: the IPv4 decision. */
export function decide4Program(syscall: number, options: EgressProgramOptions): Program {
  const allow = "allow";
  const dns = "dns";
  // Stack: port-trie key at -16 (12 bytes), any-trie key at -24 (8 bytes), attempt record at -64.
  return [
    mov(R6, R1),
    load("u32", R7, R6, SOCK_ADDR.userPort),
    options.stub === undefined ? [] : [jump("jeq", R7, htons(53), dns)],
    store("u32", R10, -16, 64),
    store("u16", R10, -12, R7),
    store("u16", R10, -10, 0),
    load("u32", R1, R6, SOCK_ADDR.userIp4),
    store("u32", R10, -8, R1),
    lookupAt(EgressMap.PORT4, -16),
    jump("jne", R0, 0, allow),
    store("u32", R10, -24, 32),
    load("u32", R1, R6, SOCK_ADDR.userIp4),
    store("u32", R10, -20, R1),
    lookupAt(EgressMap.ANY4, -24),
    jump("jne", R0, 0, allow),
    // outside the policy: recorded, then refused (block) or let through (audit)
    attempt(syscall, 2, options.mode, [load("u32", R1, R6, SOCK_ADDR.userIp4), store("u32", R10, -64 + ATTEMPT.address, R1)]),
    mov(R0, options.mode === "block" ? 0 : 1),
    exit(),
    label(allow),
    mov(R0, 1),
    exit(),
    options.stub === undefined
      ? []
      : [
          // the session's DNS goes to the stub, which allows the answered addresses before it replies
          label(dns),
          storeContextWord(SOCK_ADDR.userIp4, wordOf(options.stub.address)),
          storeContextWord(SOCK_ADDR.userPort, htons(options.stub.port)),
          mov(R0, 1),
          exit(),
        ],
  ];
}

/** connect6 / sendmsg6: the IPv6 decision (DNS over IPv6 is policy like any traffic). */
export function decide6Program(syscall: number, options: EgressProgramOptions): Program {
  const allow = "allow";
  // Stack: port-trie key at -32 (24 bytes), any-trie key at -56 (20 bytes), attempt record at -104.
  const copyAddress = (to: number): Program => [0, 4, 8, 12].map((at) => [load("u32", R1, R6, SOCK_ADDR.userIp6 + at), store("u32", R10, to + at, R1)]);
  return [
    mov(R6, R1),
    load("u32", R7, R6, SOCK_ADDR.userPort),
    store("u32", R10, -32, 160),
    store("u16", R10, -28, R7),
    store("u16", R10, -26, 0),
    copyAddress(-24),
    lookupAt(EgressMap.PORT6, -32),
    jump("jne", R0, 0, allow),
    store("u32", R10, -56, 128),
    copyAddress(-52),
    lookupAt(EgressMap.ANY6, -56),
    jump("jne", R0, 0, allow),
    attempt(syscall, 10, options.mode, copyAddress(-104 + ATTEMPT.address), -104),
    mov(R0, options.mode === "block" ? 0 : 1),
    exit(),
    label(allow),
    mov(R0, 1),
    exit(),
  ];
}

/** recvmsg4: a datagram from the stub reads as coming from the upstream resolver the session asked. */
export function replySourceProgram(options: EgressProgramOptions): Program {
  const keep = "keep";
  const stub = options.stub;
  if (stub === undefined) return [mov(R0, 1), exit()];
  return [
    mov(R6, R1),
    // compared as registers: an address word of 2^31 or more is not a sign-extended immediate
    load("u32", R1, R6, SOCK_ADDR.userIp4),
    loadImm64(R2, BigInt(wordOf(stub.address))),
    jump("jne", R1, R2, keep),
    load("u32", R1, R6, SOCK_ADDR.userPort),
    jump("jne", R1, htons(stub.port), keep),
    storeContextWord(SOCK_ADDR.userIp4, wordOf(stub.upstreamAddress)),
    storeContextWord(SOCK_ADDR.userPort, htons(stub.upstreamPort)),
    label(keep),
    mov(R0, 1),
    exit(),
  ];
}

// --- internal ---

// Writes a u32 of the context (R6) through a register: kernels before 6.3 refuse a store of an
// immediate (BPF_ST) into the context, and 6.1 is Debian 12's kernel.
function storeContextWord(offset: number, value: number): Program {
  return [mov32(R1, value), store("u32", R6, offset, R1)];
}

// Writes an ATTEMPT record at `at` on the stack (R7 holds the port) and sends it.
function attempt(syscall: number, family: number, mode: "audit" | "block", address: Program, at = -64): Program {
  const words: Program[] = [];
  for (let offset = 0; offset < ATTEMPT.size; offset += 8) words.push([store("u64", R10, at + offset, 0)]);
  return [
    words,
    store("u8", R10, at + ATTEMPT.type, ATTEMPT_TYPE),
    store("u8", R10, at + ATTEMPT.syscall, syscall),
    store("u8", R10, at + ATTEMPT.blocked, mode === "block" ? 1 : 0),
    call(Helper.get_current_pid_tgid),
    store("u32", R10, at + ATTEMPT.tid, R0),
    rsh(R0, 32),
    store("u32", R10, at + ATTEMPT.tgid, R0),
    store("u16", R10, at + ATTEMPT.family, family),
    store("u16", R10, at + ATTEMPT.port, R7),
    address,
    loadMap(R1, EgressMap.EVENTS),
    mov(R2, R10),
    add(R2, at),
    mov(R3, ATTEMPT.size),
    mov(R4, 0),
    call(Helper.ringbuf_output),
  ];
}

// The low 16 bits of a port in network order, as the context and our keys hold it.
function htons(port: number): number {
  return ((port & 0xff) << 8) | ((port >> 8) & 0xff);
}

// Four network-order address bytes as the u32 the context holds (little-endian load).
function wordOf(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
}
