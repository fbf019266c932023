/** Names of the kernel capture backends. */
export type CaptureBackendName = "ebpf" | "ptrace" | "none";

/** What a backend can do on this host, and why not. */
export interface CaptureProbe {
  readonly backend: CaptureBackendName;
  readonly available: boolean;
  /** Why it is unavailable, or what it will use. */
  readonly reason: string;
  /** Engine or tool and version, e.g. "strace 6.1"; empty for none. */
  readonly version: string;
}

/** Where the workload runs: the session cgroup, or nothing for contract-only runs. */
export interface CaptureTarget {
  /** Absolute path of the session cgroup directory. */
  readonly cgroupPath: string;
  /** The cgroup id (the directory's inode). */
  readonly cgroupId: bigint;
  /** A private directory the backend may write its raw output to. */
  readonly scratchDir: string;
  /**
   * The runner joins the session to spawn the workload (`CgroupSession.spawnInside`) and opens a
   * file while inside: the eBPF engine must see that open, or the kernel is not tracing the
   * runner's syscalls, nor those of the workload it forks (README: capture, untraced syscalls).
   */
  readonly runnerJoins?: boolean;
}

/**
 * Event type of a record that is never a row: a connect to a unix socket path. The normalizer
 * uses it to name work handed to a daemon (Docker, containerd, podman) in a health note.
 */
export const EVENT_UNIX_CONNECT = 1001;

/** One decoded kernel observation before normalization (no run id, no seq). */
export interface KernelRecord {
  readonly pid: number;
  /** 1 openat, 2 connect, 4 exec, 6 sendto, 7 sendmsg, 10 file_blocked, 20 connect_blocked; EVENT_UNIX_CONNECT (no row). */
  readonly eventType: number;
  /** Path or endpoint; null when nothing recoverable. */
  readonly value: string | null;
  readonly flags?: number;
  readonly mode?: number;
  readonly resolve?: number;
  readonly returnValue?: number;
  readonly cgroupId?: bigint;
  /** The backend had to cut `value` at its string limit (counted, never silent). */
  readonly truncated?: boolean;
  /** exec: the arguments passed to execve, when the backend records them. */
  readonly argv?: readonly string[];
  /** exec: `argv` was cut at the backend's limits or could not be read whole. */
  readonly argvTruncated?: boolean;
  /** connect_blocked (20) and connect_would_block (32): the peer's address and port, as separate fields. */
  readonly networkDestination?: string;
  readonly networkPort?: number;
  /** DNS rows (event types 30/31): the fields after `value`, already encoded (`dnsRowsOf`). */
  readonly dnsTail?: string;
  /**
   * A DNS message a capture program saw on port 53 (event types 30/31), still raw: the run parses
   * it in user space (egress `DnsObserver`) and replaces the record with its rows, or counts it.
   */
  readonly dnsPayload?: DnsPayload;
}

/** Raw DNS bytes seen by the kernel side, with the resolver end of the exchange. */
export interface DnsPayload {
  readonly direction: "query" | "answer";
  /** The UDP payload, or one TCP message without its length prefix. */
  readonly bytes: Uint8Array;
  /** The resolver's address and port (destination of a query, source of an answer). */
  readonly resolver?: string;
  readonly resolverPort?: number;
}

/** Per-hook counters for one tracepoint (emitted records / records lost). */
export interface HookCount {
  readonly emitted: number;
  readonly dropped: number;
}

/** What was lost or could not be represented, for observation health (§5.6). */
export interface CaptureLoss {
  /** Records the kernel side could not deliver (ring buffer / perf buffer losses). */
  readonly ringbufDrops: number;
  /** Records whose payload could not be decoded. */
  readonly eventSizeMismatch: number;
  readonly hooks: Readonly<Record<"openat" | "openat2" | "open" | "creat" | "connect" | "sendto" | "sendmsg" | "exec", HookCount>>;
  /** Sends whose peer could not be recovered, per syscall. */
  readonly sendNoRecoverablePeer: { readonly sendto: number; readonly sendmsg: number };
  /** Sends to a non-IP family, per syscall. */
  readonly sendNonIpFamily: { readonly sendto: number; readonly sendmsg: number };
  /** Paths longer than the backend can carry, counted rather than silently cut. */
  readonly truncatedPaths: number;
  /**
   * Effects the backend knows it did not observe whole, by reason (e.g. `path_unreadable`):
   * any count makes the kernel layer partial and is named in the `capture_backend:` note.
   */
  readonly unobserved?: Readonly<Record<string, number>>;
}

/** A DNS message seen on one of the session's sockets (port 53), for names on endpoints. */
export interface DnsPacket {
  readonly direction: "sent" | "received";
  readonly transport: "udp" | "tcp";
  /** The session's end and the resolver's, as `ip:port` endpoints. */
  readonly local: string;
  readonly remote: string;
  /** The UDP payload, or the TCP segment's data (a new message there starts with its 2-byte length). */
  readonly payload: Uint8Array;
  /** Longer than the backend keeps; the end is missing. */
  readonly cut: boolean;
}

/** DNS traffic of the session, where the backend sees it. */
export interface DnsCapture {
  readonly packets: readonly DnsPacket[];
  /** Packets the backend saw but could not deliver (ring buffer full). */
  readonly dropped: number;
}

/** The result of a finished capture. */
export interface CaptureOutcome {
  /** Records in arrival order. */
  readonly records: AsyncIterable<KernelRecord>;
  readonly loss: CaptureLoss;
  /**
   * False when the backend's stream ended before the workload did (the tracer died, or never
   * wrote): upstream's "stream ended" case, which makes cgroup correlation partial (§5.7).
   */
  readonly streamComplete: boolean;
  /** DNS seen on the session's sockets; absent when the backend does not look at packets. */
  readonly dns?: DnsCapture;
}

/** A process a backend runs outside the session, which must not outlive the runner. */
export interface HelperProcess {
  readonly pid: number;
  /** Its `/proc/<pid>/comm`, so a reused pid is never taken for it. */
  readonly comm: string;
}

/** A capture that is armed and filtering on the session cgroup. */
export interface ArmedCapture {
  readonly backend: CaptureBackendName;
  /** Backend and version for the `capture_backend:` note. */
  readonly version: string;
  /** How long arming took (program build, load, attach, first marker), in ms; backends that spawn nothing omit it. */
  readonly attachMs?: number;
  /** Processes it runs outside the session, which the guardian stops if the runner dies; none for the native engine. */
  readonly helpers: readonly HelperProcess[];
  /** The argv to start in place of the workload's (ptrace wraps it; others return it unchanged). */
  command(argv: readonly string[]): readonly string[];
  /**
   * For a backend whose `command` puts a tracer between the runner and the workload (ptrace):
   * watches for the workload's own end, which comes before the tracer's when descendants outlive
   * it. Backends that start the workload itself omit it: the direct child is the workload.
   */
  watchWorkload?(): WorkloadWatch;
  /** Stops after the workload and its session ended, drains, and returns what was observed. */
  stop(drainMs: number): Promise<CaptureOutcome>;
  /** Releases every resource; safe to call more than once and after stop. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A kernel capture backend: probe the host, arm on a session. */
export interface CaptureBackend {
  readonly name: CaptureBackendName;
  /** Whether this host allows the backend, without side effects. */
  probe(): Promise<CaptureProbe>;
  /** Arms the capture on the session; resolves once every probe is attached. */
  arm(target: CaptureTarget | undefined): Promise<ArmedCapture>;
}

/** How the traced workload itself ended: an exit code, or the number of the signal that killed it. */
export interface TraceeExit {
  readonly exitCode: number | null;
  readonly signal: number | null;
}

/** A running watch for the traced workload's own end. */
export interface WorkloadWatch extends Disposable {
  /** Resolves once the workload itself has ended (never, if the tracer ends without saying). */
  readonly ended: Promise<TraceeExit>;
  /** Once the tracer has exited: waits until all it wrote is read, then gives the workload's end, if it wrote one. */
  final(): Promise<TraceeExit | undefined>;
}
