import {
  ACCESS_MODES,
  compareCodePoints,
  DNS_ANSWER_EVENT_TYPE,
  DNS_QUERY_EVENT_TYPE,
  KERNEL_EVENT_SCHEMA,
  KERNEL_KINDS_BY_EVENT_TYPE,
  surfaceFieldOfKind,
} from "../schema/index.ts";
import { isKernelFilteredPath, isLoaderTelemetryPath, isQuietCharDevice, isWritingOpen, loaderFilterRule } from "./loader-filter.ts";
import { EVENT_UNIX_CONNECT, type KernelRecord } from "./types.ts";

/** What the kernel layer contributed, for the capability surface and health. */
export interface KernelSummary {
  /** Rows written to layers/kernel.ndjson. */
  readonly rowCount: number;
  /** Surface side effects (§2.3), unsorted; the run sorts after redaction. */
  readonly filesystemPaths: ReadonlySet<string>;
  readonly networkEndpoints: ReadonlySet<string>;
  readonly processExecs: ReadonlySet<string>;
  /** openat rows dropped by the loader-telemetry filter, and the most frequent paths. */
  readonly filteredLoaderEvents: number;
  readonly filteredLoaderTop: ReadonlyArray<{ readonly path: string; readonly count: number }>;
  /** Rows written whose path the backend had to cut (counted as loss by kernel health). */
  readonly truncatedPaths: number;
  /** What the loader filter dropped, all of it: distinct (flags, path) opens, per filter rule. */
  readonly loaderFilter: LoaderFilterCount;
  /** Daemon sockets connected to and daemon clients executed (`unix:<path>`, `exec:<path>`), sorted. */
  readonly daemonHandoffs: readonly string[];
}

/** The loader filter's account: off, or what it dropped per rule and the writes it let through. */
export interface LoaderFilterCount {
  readonly enabled: boolean;
  /** Distinct (flags, path) opens dropped. */
  readonly dropped: number;
  /** Dropped opens per rule (prefix, exact path or pattern), most first, then by rule. */
  readonly byRule: ReadonlyArray<{ readonly rule: string; readonly count: number }>;
  /** Opens that can write under a filtered prefix, kept as rows. */
  readonly keptWrites: number;
}

/** How the normalizer filters opens. */
export interface NormalizeOptions {
  /** `--keep-all-opens`: no loader filter at all. */
  readonly keepAllOpens?: boolean;
}

/** Normalizes decoded records into kernel_event.v0 row lines (each ending "\n"), handing each to `write`. */
export async function normalizeKernelRecords(
  records: AsyncIterable<KernelRecord>,
  runId: string,
  write: (line: string) => void | Promise<void>,
  options: NormalizeOptions = {},
): Promise<KernelSummary> {
  const normalizer = new KernelNormalizer(runId, options);
  for await (const record of records) {
    const line = normalizer.push(record);
    if (line !== undefined) await write(line);
  }
  return normalizer.summary();
}

/** Upstream's kind for each event type (archive spec §2.3); others become `event_<n>` with a null value. */
export function kernelKind(eventType: number): string {
  return KERNEL_KINDS_BY_EVENT_TYPE.get(eventType) ?? `event_${eventType}`;
}

/** The `access_mode` of an open: `flags & 3` (archive spec §2.3). */
export function openAccessMode(flags: number): "read" | "write" | "read_write" | "unknown" {
  return ACCESS_MODES[flags & 3] ?? "unknown";
}

/** The `operation_flags` of an open, in upstream's fixed order. */
export function openOperationFlags(flags: number): string[] {
  const out: string[] = [];
  if (flags & 0o100) out.push("create");
  if (flags & 0o1000) out.push("truncate");
  if (flags & 0o2000) out.push("append");
  // deviation: upstream tests 0o400 (O_NOCTTY) for `exclusive`; O_EXCL is 0o200 on Linux
  // (archive spec §5 item 8, ARCHITECTURE "Deliberate improvements").
  if (flags & 0o200) out.push("exclusive");
  return out;
}

// --- internal ---

const EVENT_OPENAT = 1;
const EVENT_EXEC = 4;
const EVENT_CONNECT_BLOCKED = 20;
// deviation: an attempt an audit-mode egress policy would have refused (ours, as dns rows are).
const EVENT_CONNECT_WOULD_BLOCK = 32;
const EVENT_INODE_RESOLVED = 112;

/** The state of one run's kernel layer: seq, dedupe keys, surface sets and filter counts. */
class KernelNormalizer {
  readonly #runId: string;
  readonly #seen = new Set<string>();
  readonly #filesystemPaths = new Set<string>();
  readonly #networkEndpoints = new Set<string>();
  readonly #processExecs = new Set<string>();
  readonly #filtered = new Map<string, number>();
  #filteredCount = 0;
  #truncated = 0;
  #seq = 0;
  readonly #keepAll: boolean;
  readonly #droppedByRule = new Map<string, number>();
  #dropped = 0;
  #keptWrites = 0;
  readonly #handoffs = new Set<string>();

  constructor(runId: string, options: NormalizeOptions) {
    this.#runId = runId;
    this.#keepAll = options.keepAllOpens ?? false;
  }

  /** Returns the row line for a retained record, or undefined when it is dropped (no seq consumed). */
  push(record: KernelRecord): string | undefined {
    const { eventType } = record;
    if (eventType === EVENT_INODE_RESOLVED) return undefined;
    if (eventType === EVENT_UNIX_CONNECT) {
      if (record.value !== null && isDaemonSocket(record.value)) this.#handoffs.add(`unix:${record.value}`);
      return undefined;
    }
    const kind = kernelKind(eventType);
    const known = KERNEL_KINDS_BY_EVENT_TYPE.has(eventType);
    const value = known && record.value !== null && record.value !== "" ? record.value : null;
    if (eventType === EVENT_OPENAT && !this.#admitOpen(record, value ?? "")) return undefined;

    if (value !== null) {
      const field = surfaceFieldOfKind(kind);
      if (field === "filesystem_paths") this.#filesystemPaths.add(value);
      else if (field === "network_endpoints") this.#networkEndpoints.add(value);
      else if (field === "process_execs") {
        this.#processExecs.add(value);
        if (daemonClients.has(baseName(value))) this.#handoffs.add(`exec:${value}`);
      }
    }
    if (record.truncated === true) this.#truncated += 1;
    const seq = this.#seq;
    this.#seq += 1;
    return encodeRow(this.#runId, seq, record, kind, value);
  }

  summary(): KernelSummary {
    return {
      rowCount: this.#seq,
      filesystemPaths: this.#filesystemPaths,
      networkEndpoints: this.#networkEndpoints,
      processExecs: this.#processExecs,
      filteredLoaderEvents: this.#filteredCount,
      filteredLoaderTop: topFiltered(this.#filtered, 5),
      truncatedPaths: this.#truncated,
      loaderFilter: {
        enabled: !this.#keepAll,
        dropped: this.#dropped,
        byRule: [...this.#droppedByRule].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count || compareCodePoints(a.rule, b.rule)),
        keptWrites: this.#keptWrites,
      },
      daemonHandoffs: [...this.#handoffs].sort(compareCodePoints),
    };
  }

  // Upstream's open path (lifecycle spec §5.2, §5.5): dedupe of (flags, path) at attempt time —
  // the first attempt wins, even a failed one — and the two loader filters. Rows are the same
  // whichever comes first; deduping first makes every count one of distinct opens, as the eBPF
  // backends (which dedupe in the kernel) see them.
  #admitOpen(record: KernelRecord, path: string): boolean {
    const flags = record.flags ?? 0;
    // deviation: upstream's dedupe map holds 4096 FNV-1a keys and stops deduping once full; we
    // dedupe every (flags, path) pair of the run exactly, so row counts do not depend on map size.
    const key = `${flags}\u0000${path}`;
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#keepAll) return true;
    const rule = loaderFilterRule(path);
    if (rule === undefined) return true;
    // deviation: upstream drops writes under the filtered prefixes too (a library written into
    // /usr/lib/, a file dropped into /dev/shm/); an open that can write is always a row here.
    if (isWritingOpen(flags) && !isQuietCharDevice(path)) {
      this.#keptWrites += 1;
      return true;
    }
    // deviation: upstream's in-kernel filter drops uncounted; every drop is counted per rule here.
    this.#dropped += 1;
    this.#droppedByRule.set(rule, (this.#droppedByRule.get(rule) ?? 0) + 1);
    // Upstream's own counter (its s2 note) sees only what passed its in-kernel filter.
    if (!isKernelFilteredPath(path) && isLoaderTelemetryPath(path)) {
      this.#filteredCount += 1;
      this.#filtered.set(path, (this.#filtered.get(path) ?? 0) + 1);
    }
    return false;
  }
}

// Rows are written field by field in upstream's struct order (archive spec §2.3) so the bytes do
// not depend on a generic encoder; capture may not import evidence (lane rule).
function encodeRow(runId: string, seq: number, record: KernelRecord, kind: string, value: string | null): string {
  let row = `{"schema":"${KERNEL_EVENT_SCHEMA}","run_id":${JSON.stringify(runId)},"seq":${seq},"pid":${record.pid},"event_type":${record.eventType},"kind":${JSON.stringify(kind)},"value":${value === null ? "null" : JSON.stringify(value)}`;
  if ((record.eventType === EVENT_CONNECT_BLOCKED || record.eventType === EVENT_CONNECT_WOULD_BLOCK) && record.cgroupId !== undefined)
    row += `,"cgroup_id":${record.cgroupId.toString()}`;
  if (record.networkDestination !== undefined) row += `,"network_destination":${JSON.stringify(record.networkDestination)}`;
  if (record.networkPort !== undefined) row += `,"network_port":${record.networkPort}`;
  // deviation: exec rows are ours (upstream has no exec hook); they carry the argv when the backend recorded it.
  if (record.eventType === EVENT_EXEC && record.argv !== undefined) {
    row += `,"argv":[${record.argv.map((arg) => JSON.stringify(arg)).join(",")}]`;
    if (record.argvTruncated === true) row += `,"argv_truncated":true`;
  }
  if (record.eventType === EVENT_OPENAT) {
    const flags = record.flags ?? 0;
    const returnValue = record.returnValue ?? 0;
    row += `,"flags":${flags},"mode":${record.mode ?? 0}`;
    if (record.resolve !== undefined && record.resolve !== 0) row += `,"resolve":${record.resolve}`;
    row += `,"return_value":${returnValue},"access_mode":"${openAccessMode(flags)}"`;
    const operations = openOperationFlags(flags);
    if (operations.length > 0) row += `,"operation_flags":[${operations.map((op) => `"${op}"`).join(",")}]`;
    row += `,"status":"${returnValue < 0 ? "error" : "success"}"`;
  }
  if (record.dnsTail !== undefined && (record.eventType === DNS_QUERY_EVENT_TYPE || record.eventType === DNS_ANSWER_EVENT_TYPE)) row += record.dnsTail;
  return `${row}}\n`;
}

// Sockets of container engines: what a client asks of them happens in the daemon, outside the session.
const daemonSockets: ReadonlySet<string> = new Set(["docker.sock", "containerd.sock", "podman.sock", "crio.sock", "dockershim.sock", "buildkitd.sock"]);
// Clients that hand work to a daemon: systemd starts a transient unit, container engines a container.
const daemonClients: ReadonlySet<string> = new Set(["systemd-run", "docker", "podman", "nerdctl", "ctr", "crictl", "buildctl"]);

function isDaemonSocket(path: string): boolean {
  return daemonSockets.has(baseName(path));
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function topFiltered(counts: ReadonlyMap<string, number>, limit: number): Array<{ path: string; count: number }> {
  return [...counts]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => b.count - a.count || compareCodePoints(a.path, b.path))
    .slice(0, limit);
}
