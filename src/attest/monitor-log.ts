import { sortByCodePoint } from "../evidence/index.ts";
import { LIST_BUDGETS } from "./constants.ts";
import type { EndpointTally, ExecTally, FileTally, KernelSummary } from "./kernel-summary.ts";

/** Where the full kernel log lives: the archive member and its digests. */
export interface FullLogPointer {
  /** The archive file's name (as given on the command line, without directories). */
  readonly archiveName: string;
  readonly archiveSha256: string;
  /** Hex SHA-256 of `layers/kernel.ndjson`, from the manifest. */
  readonly kernelLayerSha256: string;
}

/** How many entries of one list were observed and how many the statement lists. */
export interface ListCount {
  readonly observed: number;
  readonly listed: number;
}

/** The predicate's `monitorLog`: bounded lists plus counts and a pointer to the full log. */
export interface MonitorLog {
  readonly process: readonly Record<string, unknown>[];
  readonly network: readonly Record<string, unknown>[];
  readonly fileAccess: readonly Record<string, unknown>[];
  /** Extension: counts per list and the pointer; `complete` is false when a list was cut at its budget. */
  readonly assayRunnerSummary: {
    readonly complete: boolean;
    readonly process: ListCount;
    readonly network: ListCount;
    readonly fileAccess: ListCount;
    readonly kernelRows: number;
    readonly fullLog: Record<string, unknown>;
  };
}

/**
 * Builds the bounded monitorLog from a kernel summary: execs and endpoints in first-seen order,
 * files that were written first then the rest, each in UTF-8 byte order of the path. A list that
 * would pass its byte budget stops there and says so in the counts; the full log is the archive.
 */
export function buildMonitorLog(summary: KernelSummary, pointer: FullLogPointer, budgets: typeof LIST_BUDGETS = LIST_BUDGETS): MonitorLog {
  const execs = [...summary.execs].sort(byFirstSeen);
  const endpoints = [...summary.endpoints].sort(byFirstSeen);
  const files = fileOrder(summary.files);
  const process = withinBudget(execs, ([path, tally]) => processEntry(path, tally), budgets.process);
  const network = withinBudget(endpoints, ([endpoint, tally]) => networkEntry(endpoint, tally), budgets.network);
  const fileAccess = withinBudget(files, (path) => fileEntry(path, summary.files.get(path)!), budgets.fileAccess);
  return {
    process,
    network,
    fileAccess,
    assayRunnerSummary: {
      complete: process.length === execs.length && network.length === endpoints.length && fileAccess.length === files.length,
      process: { observed: execs.length, listed: process.length },
      network: { observed: endpoints.length, listed: network.length },
      fileAccess: { observed: files.length, listed: fileAccess.length },
      kernelRows: summary.rows,
      fullLog: {
        name: "layers/kernel.ndjson",
        digest: { sha256: pointer.kernelLayerSha256 },
        mediaType: "application/x-ndjson",
        annotations: { archive: pointer.archiveName, archiveSha256: pointer.archiveSha256 },
      },
    },
  };
}

/** Splits a kernel row's endpoint (`1.2.3.4:443`, `[::1]:53`) into address and port. */
export function splitEndpoint(endpoint: string): { readonly ip: string; readonly port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(endpoint);
  if (match === null) return undefined;
  const port = Number(match[3]);
  return port > 65535 ? undefined : { ip: (match[1] ?? match[2])!, port };
}

/** Percent-encodes a path as a `file://` URI (RFC 3986 path characters kept, every other byte encoded). */
export function fileUri(path: string): string {
  if (URI_PATH.test(path)) return `file://${path}`;
  let out = "file://";
  for (const char of path) {
    if (URI_PATH.test(char)) out += char;
    else for (const byte of ENCODER.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

// --- internal ---

const ENCODER = new TextEncoder();
// RFC 3986 `pchar` and "/", which a URI path holds as they are.
const URI_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const ACCESS_ORDER = ["read", "write", "read_write", "unknown"];
const OPERATION_ORDER = ["create", "truncate", "append", "exclusive"];

function byFirstSeen(a: [string, { firstSeenSeq: number }], b: [string, { firstSeenSeq: number }]): number {
  return a[1].firstSeenSeq - b[1].firstSeenSeq || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

function processEntry(path: string, tally: ExecTally): Record<string, unknown> {
  return { eventType: "exec", processBinary: path, assayRunner: { execs: tally.count, firstSeenSeq: tally.firstSeenSeq } };
}

// Kernel rows do not record the socket type, so no `protocol` is claimed: a connect() may be TCP or
// UDP, and a sendto() with an address may be UDP or TCP Fast Open. Port 0 (a UDP connect for
// source-address selection) is not a remote port; the raw endpoint stays in the extension.
function networkEntry(endpoint: string, tally: EndpointTally): Record<string, unknown> {
  const split = splitEndpoint(endpoint);
  const extension: Record<string, unknown> = {
    endpoint,
    direction: "outbound",
    syscalls: [...tally.syscalls].sort(),
    count: tally.count,
    firstSeenSeq: tally.firstSeenSeq,
  };
  if (tally.blocked > 0) extension.blocked = tally.blocked;
  return {
    ...(split !== undefined ? { ip: split.ip } : {}),
    ...(split !== undefined && split.port > 0 ? { port: split.port } : {}),
    assayRunner: extension,
  };
}

function fileEntry(path: string, tally: FileTally): Record<string, unknown> {
  const annotations: Record<string, unknown> = {};
  if (tally.access.size > 0) annotations.access = ACCESS_ORDER.filter((mode) => tally.access.has(mode));
  if (tally.operations.size > 0) annotations.operations = OPERATION_ORDER.filter((flag) => tally.operations.has(flag));
  annotations.opens = tally.opens;
  if (tally.failed > 0) annotations.failed = tally.failed;
  if (tally.blocked > 0) annotations.blocked = tally.blocked;
  return { uri: fileUri(path), annotations };
}

function isWrite(tally: FileTally): boolean {
  return tally.access.has("write") || tally.access.has("read_write") || tally.operations.size > 0;
}

function fileOrder(files: ReadonlyMap<string, FileTally>): string[] {
  const written: string[] = [];
  const rest: string[] = [];
  for (const [path, tally] of files) (isWrite(tally) ? written : rest).push(path);
  return [...sortByCodePoint(written), ...sortByCodePoint(rest)];
}

// Entries are made only until the budget is spent: a 100k-path layer lists a few thousand.
function withinBudget<T>(items: readonly T[], toEntry: (item: T) => Record<string, unknown>, budget: number): Record<string, unknown>[] {
  const kept: Record<string, unknown>[] = [];
  let used = 0;
  for (const item of items) {
    const entry = toEntry(item);
    used += Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (used > budget) break;
    kept.push(entry);
  }
  return kept;
}
