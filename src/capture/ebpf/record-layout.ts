// The byte layout shared by the capture programs (which write records) and the decoder (which
// reads them). Little-endian, as the recording host (x86_64, arm64).

/** Record types, the first byte of every record. */
export const RecordType = { OPEN: 1, RETURN: 2, PEER: 3, EXEC: 4, ARGV: 5, DNS: 6, UNIX: 7 } as const;

/** Hook ids, the second byte of every record and the index of its counters. */
export const HOOK_IDS = { openat: 1, openat2: 2, open: 3, creat: 4, connect: 5, sendto: 6, sendmsg: 7, exec: 8 } as const;

/** A hook name (the kernel layer's hooks, as upstream's health counts them). */
export type HookName = keyof typeof HOOK_IDS;

/** Hook id of DNS packets seen on the session's sockets (names, not kernel rows). */
export const DNS_HOOK = 9;

/** Bits of the header's `bits` field. */
export const RecordBit = {
  /** OPEN: the return value is in the record (the path was read at syscall exit). */
  HAS_RETURN: 1,
  /** OPEN/EXEC: the string filled the read buffer (longer than PATH_MAX); ARGV: arguments left out. */
  CUT: 2,
  /** OPEN/EXEC/ARGV: user memory could not be read; the string is empty or partial. */
  UNREADABLE: 4,
} as const;

/** Header of every record: type u8, hook u8, bits u16, tgid u32, tid u32, string length u32. */
export const HEADER = { type: 0, hook: 1, bits: 2, tgid: 4, tid: 8, length: 12, size: 16 } as const;

/** OPEN: flags, mode, resolve (the layout of `struct open_how`), return value, then the path. */
export const OPEN = { flags: 16, mode: 24, resolve: 32, returnValue: 40, path: 48 } as const;

/** RETURN: the syscall's return value, for the OPEN emitted at entry by the same thread. */
export const RETURN = { returnValue: 16, size: 24 } as const;

/** PEER: the first bytes of the sockaddr (family u16, port u16 in network order, then sin_addr at 20 or sin6_addr at 24). */
export const PEER = { sockaddr: 16, family: 16, port: 18, ipv4: 20, ipv6: 24, size: 40 } as const;

/** UNIX: a connect to an AF_UNIX socket (not a row: daemon hand-offs are named in a note), its `sun_path`. */
export const UNIX = { path: 16 } as const;
/** Bytes read of `sun_path` (108 in Linux) and its NUL. */
export const UNIX_PATH_READ = 109;

/** EXEC: the pid before exec (the thread that called execve), then the file name. */
export const EXEC = { oldPid: 16, filename: 24 } as const;

/** ARGV: the argument count read, then the arguments, each NUL-terminated. */
export const ARGV = { count: 16, strings: 24 } as const;

/** Bytes read for a path: PATH_MAX (4096, with its NUL) plus one, so a longer string shows as cut. */
export const PATH_READ = 4097;

/** The most argument bytes and arguments an exec records (README: argv limits). */
export const ARGV_MAX_BYTES = 4096;
export const ARGV_MAX_ARGS = 128;

/** Scratch past the longest OPEN record: the user path pointer an open entry hands the program it tail-calls. */
export const OPEN_TAIL = { pointer: Math.ceil((OPEN.path + PATH_READ) / 8) * 8 } as const;

/** Size of the per-CPU scratch record: room for ARGV's bounded reads, which need twice their limit. */
export const SCRATCH_SIZE = 8256;

/** Index of each counter in the per-CPU counter array. */
export const Counter = {
  /** `emitted(hook)`: records the hook wrote to the ring buffer (this and `dropped` stay linear in the hook: a shared program adds its hook id at run time). */
  emitted: (hook: number) => hook,
  /** `dropped(hook)`: records the ring buffer had no room for. */
  dropped: (hook: number) => 16 + hook,
  /** Opens whose entry could not tail-call the path program (never expected: its slot is filled before any attach). */
  OPEN_TAIL_CALL_FAILED: 32,
  /** Forks of session processes the lineage map had no room for. */
  LINEAGE_FULL: 33,
  /** Opens whose return could not be tracked (pending map full). */
  PENDING_FULL: 34,
  /** Opens whose path could not be read at entry nor at exit. */
  PATH_UNREADABLE: 35,
  NO_PEER_SENDTO: 36,
  NO_PEER_SENDMSG: 37,
  NON_IP_SENDTO: 38,
  NON_IP_SENDMSG: 39,
  /** sockaddrs that could not be read. */
  PEER_UNREADABLE: 40,
  /** RETURN records the ring buffer had no room for. */
  RETURN_DROPPED: 41,
  /** Execs whose argv was cut at the limits. */
  ARGV_CUT: 42,
  /** ARGV records the ring buffer had no room for (their exec rows carry no argv). */
  ARGV_DROPPED: 43,
  /** DNS payloads longer than DNS_MAX_BYTES (kept up to it, flagged). */
  DNS_CUT: 44,
  /** UNIX records the ring buffer had no room for (a daemon hand-off may go unnamed). */
  UNIX_DROPPED: 45,
  /** Opens of the runner itself the session filter turned away: it joins the session to spawn the workload. */
  RUNNER_SEEN: 46,
  /** Hooked syscall numbers called by a 32-bit task: its numbers name other syscalls, so it is not read. */
  COMPAT_SYSCALLS: 47,
  /** Session threads that ended without the kernel's syscall-tracepoint flag: none of their syscalls reached a program. */
  UNTRACED_TASKS: 48,
  /** Number of counters. */
  COUNT: 50,
} as const;

/**
 * The in-kernel open dedupe: per CPU, one direct-mapped cache per path-length tier. A slot holds a
 * whole key (flags u32, length u32, then the path zero-padded to the tier's window) and a hit
 * compares it whole, so two distinct paths never share one; a slot taken by another key only means
 * a repeat is sent again. Short keys hash, compare and copy in a fraction of a long one's time.
 */
export const DEDUPE_TIERS = [
  { map: "dedupe_64", window: 64 },
  { map: "dedupe_128", window: 128 },
  { map: "dedupe_256", window: 256 },
] as const;
/** All dedupe caches together, every CPU and tier, stay near this many bytes. */
export const DEDUPE_CACHE_BYTES = 16 << 20;
/** Slots per CPU in each tier: a power of two from 256 to 8192 (7.7 MB in all on 2 CPUs). */
export function dedupeSlotsPerCpu(cpus: number): number {
  const bytesPerSlot = DEDUPE_TIERS.reduce((sum, tier) => sum + DEDUPE_KEY_HEADER + tier.window, 0);
  let slots = 256;
  while (slots < 8192 && slots * 2 * bytesPerSlot * cpus <= DEDUPE_CACHE_BYTES) slots *= 2;
  return slots;
}
/** Paths up to this many bytes (with the NUL) are deduplicated in the kernel, exactly (README). */
export const DEDUPE_WINDOW = 256;
/** Bytes of a dedupe key before the path. */
export const DEDUPE_KEY_HEADER = 8;
/** Processes followed by lineage after leaving the session cgroup. */
export const LINEAGE_ENTRIES = 65536;
/** Default ring buffer size (a power of two, page-aligned). */
export const DEFAULT_RING_BYTES = 16 << 20;

/**
 * DNS: direction (0 sent by the session, 1 received), IP version, transport protocol, the local
 * and remote address (16 bytes each, IPv4 in the first 4) and ports (network order), then the
 * DNS payload (after the UDP header, or the TCP segment's data with its 2-byte length prefix).
 */
export const DNS = { direction: 16, version: 17, protocol: 18, localPort: 20, remotePort: 22, local: 24, remote: 40, payload: 56 } as const;

/** The most DNS payload bytes a record keeps (EDNS's usual 1232-byte limit fits). */
export const DNS_MAX_BYTES = 2048;

/** pending map value: state u32, hook u32, user path pointer, then flags, mode, resolve. */
export const PENDING = { state: 0, hook: 4, pointer: 8, flags: 16, mode: 24, resolve: 32, size: 40 } as const;
/** pending states. */
export const PendingState = { EMITTED: 1, STASHED: 2 } as const;
