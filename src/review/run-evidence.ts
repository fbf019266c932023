import * as v from "valibot";
import type { MemberBytes } from "../compare/index.ts";
import {
  CapabilitySurfaceSchema,
  deriveEndpointNames,
  ObservationHealthRecordSchema,
  type EndpointNames,
  type NameRow,
  type ObservationHealthRecord,
} from "../schema/index.ts";
import { ReviewInputError } from "./errors.ts";

/** What review reads from one archive: identity, the capability sets, the written paths, the health. */
export interface RunEvidence {
  /** How the archive was named on the command line. */
  readonly source: string;
  readonly runId: string;
  /** `sha256:<hex>` of the exact manifest bytes: the archive's identity. */
  readonly manifestDigest: string;
  /** Every path the kernel layer saw opened (the surface's `filesystem_paths`), sorted. */
  readonly paths: readonly string[];
  /** Paths opened successfully for writing, creating, truncating or appending. */
  readonly writes: ReadonlySet<string>;
  readonly execs: readonly string[];
  readonly endpoints: readonly string[];
  /** Names of endpoints from the run's own DNS answers (`dns_answer` rows), or declared as `host:port`. */
  readonly names: EndpointNames;
  /** The observation-health record as parsed, or undefined when the member is missing. */
  readonly health: ObservationHealthRecord | undefined;
  /** The health member as plain JSON, for the fidelity verdict. */
  readonly healthJson: unknown;
}

/**
 * Reads one archive's members into review evidence. `where(name)` names a member in messages
 * (`archive.tar.gz!name`); `sha256` digests the exact manifest bytes. Throws ReviewInputError.
 */
export function readRunEvidence(source: string, member: MemberBytes, where: (name: string) => string, sha256: (bytes: Uint8Array) => string): RunEvidence {
  const manifestBytes = member("manifest.json");
  if (manifestBytes === undefined) throw missing(source, where, "manifest.json");
  const surfaceJson = jsonMember(source, member, where, "capability-surface.json");
  const parsed = v.safeParse(CapabilitySurfaceSchema, surfaceJson);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = v.getDotPath(issue) ?? "";
    throw new ReviewInputError(`${where("capability-surface.json")}${field ? ` › ${field}` : ""}: ${issue.message}`, {
      file: source,
      member: "capability-surface.json",
      field,
    });
  }
  const surface = parsed.output;
  const healthBytes = member("observation-health.json");
  let health: ObservationHealthRecord | undefined;
  let healthJson: unknown;
  if (healthBytes !== undefined) {
    healthJson = jsonMember(source, member, where, "observation-health.json");
    const read = v.safeParse(ObservationHealthRecordSchema, healthJson);
    if (!read.success) {
      const issue = read.issues[0];
      const field = v.getDotPath(issue) ?? "";
      throw new ReviewInputError(`${where("observation-health.json")}${field ? ` › ${field}` : ""}: ${issue.message}`, {
        file: source,
        member: "observation-health.json",
        field,
      });
    }
    health = read.output;
  }
  return {
    source,
    runId: surface.run_id,
    manifestDigest: `sha256:${sha256(manifestBytes)}`,
    paths: surface.filesystem_paths,
    writes: writtenPaths(source, member("layers/kernel.ndjson"), where),
    execs: surface.process_execs,
    endpoints: surface.network_endpoints,
    names: deriveEndpointNames(answerRows(member("layers/kernel.ndjson")), surface.network_endpoints),
    health,
    healthJson,
  };
}

/** Paths of kernel open rows that succeeded and wrote: access mode write/read_write or create, truncate, append. */
export function writtenPaths(source: string, kernel: Uint8Array | undefined, where: (name: string) => string): Set<string> {
  const writes = new Set<string>();
  if (kernel === undefined) return writes;
  // Most rows are reads: find the rows naming a write-like field in the bytes, and decode and
  // parse only those lines (canonical rows are compact JSON, so the field reads exactly so).
  const bytes = Buffer.from(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const starts = new Set<number>();
  for (const needle of WRITE_NEEDLES) {
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + needle.length)) starts.add(bytes.lastIndexOf(NEWLINE, at) + 1);
  }
  for (const start of [...starts].sort((a, b) => a - b)) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    let row: unknown;
    try {
      row = JSON.parse(utf8(bytes, start, end));
    } catch (error) {
      const line = countLines(bytes, start) + 1;
      throw new ReviewInputError(`${where("layers/kernel.ndjson")}:${line}: not JSON: ${(error as Error).message}`, {
        file: source,
        member: "layers/kernel.ndjson",
      });
    }
    if (typeof row !== "object" || row === null) continue;
    const r = row as Record<string, unknown>;
    if (r.kind !== "openat" || typeof r.value !== "string") continue;
    if (r.status !== undefined && r.status !== "success") continue;
    const flags = Array.isArray(r.operation_flags) ? r.operation_flags : [];
    if (r.access_mode === "write" || r.access_mode === "read_write" || flags.some((f) => f === "create" || f === "truncate" || f === "append"))
      writes.add(r.value);
  }
  return writes;
}

// --- internal ---

// The kernel layer's dns_answer rows (found by their kind in the bytes; a broken one is skipped:
// `verify` is the tool that names it).
function answerRows(kernel: Uint8Array | undefined): NameRow[] {
  if (kernel === undefined) return [];
  const bytes = Buffer.from(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const rows: NameRow[] = [];
  for (let at = bytes.indexOf(ANSWER_NEEDLE); at >= 0; at = bytes.indexOf(ANSWER_NEEDLE, at + ANSWER_NEEDLE.length)) {
    const start = bytes.lastIndexOf(NEWLINE, at) + 1;
    const end = bytes.indexOf(NEWLINE, at);
    try {
      rows.push(JSON.parse(utf8(bytes, start, end < 0 ? bytes.length : end)) as NameRow);
    } catch {}
  }
  return rows;
}

const DECODER = new TextDecoder("utf-8");

// Text of bytes as TextDecoder gives it (malformed sequences become U+FFFD the same way), through
// Buffer's decoder, which is faster; only a leading byte order mark, which TextDecoder drops, takes TextDecoder.
function utf8(bytes: Buffer, start: number, end: number): string {
  if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf && end - start >= 3) return DECODER.decode(bytes.subarray(start, end));
  return bytes.toString("utf8", start, end);
}
const WRITE_NEEDLES = ['"access_mode":"write"', '"access_mode":"read_write"', '"operation_flags":["'].map((n) => Buffer.from(n));
const NEWLINE = 0x0a;
const ANSWER_NEEDLE = Buffer.from('"kind":"dns_answer"');

function countLines(bytes: Uint8Array, end: number): number {
  let lines = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === NEWLINE) lines++;
  return lines;
}

function missing(source: string, where: (name: string) => string, name: string): ReviewInputError {
  return new ReviewInputError(`${where(name)}: missing; expected an evidence archive member ${name}`, { file: source, member: name });
}

function jsonMember(source: string, member: MemberBytes, where: (name: string) => string, name: string): unknown {
  const bytes = member(name);
  if (bytes === undefined) throw missing(source, where, name);
  try {
    return JSON.parse(utf8(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.byteLength));
  } catch (error) {
    throw new ReviewInputError(`${where(name)}: not JSON: ${(error as Error).message}`, { file: source, member: name });
  }
}
