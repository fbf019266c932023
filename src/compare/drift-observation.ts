import { deriveEndpointNames, fail, ok, type EndpointNames, type NameRow, type Result } from "../schema/index.ts";
import { markSurrogateFree, sortStrings, sortUnique, textHasSurrogate } from "./_order.ts";
import { isObject } from "./_problem.ts";

/** The archive members drift reads, by exact name (spec §3.2); a missing member is `undefined`. */
export type MemberBytes = (name: string) => Uint8Array | undefined;

/** The five capability lists drift reads, each sorted (code point) but not deduplicated. */
export interface ObservedSurface {
  readonly filesystem_paths: readonly string[];
  readonly network_endpoints: readonly string[];
  readonly process_execs: readonly string[];
  readonly mcp_tools: readonly string[];
  readonly policy_decisions: readonly string[];
}

/** Schema strings found per member (NDJSON: the first row carrying one), `null` when absent. */
export interface ObservedSchemas {
  readonly archive_manifest: string | null;
  readonly capability_surface: string | null;
  readonly observation_health: string | null;
  readonly correlation_report: string | null;
  readonly sdk_event: string | null;
  readonly kernel_event: string | null;
}

/** Drift's normalized view of one archive (upstream `ArchiveObservation`). */
export interface ArchiveObservation {
  /** The path as given on the command line; informational, identity is the manifest digest. */
  readonly path: string;
  readonly runId: unknown;
  readonly runtimeLabel: string | null;
  readonly manifestDigest: string;
  readonly surface: ObservedSurface;
  readonly sdkEventCount: number;
  readonly sdkTools: readonly string[];
  readonly sdkToolOrder: readonly string[];
  readonly kernelFileOperations: readonly string[];
  /** Names of the surface's endpoints from the kernel layer's DNS rows (empty for archives without them). */
  readonly endpointNames: EndpointNames;
  readonly schemas: ObservedSchemas;
  readonly observationHealth: Readonly<Record<string, unknown>> | undefined;
  readonly correlationReport: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Reads the members drift needs from one archive: manifest and capability surface are required,
 * health, correlation, SDK and kernel layers optional. `sha256` digests the exact manifest bytes.
 */
export function observeArchive(path: string, member: MemberBytes, sha256: (bytes: Uint8Array) => string): Result<ArchiveObservation> {
  try {
    return ok(observe(path, member, sha256));
  } catch (error) {
    if (error instanceof Unreadable) {
      return fail({
        code: "DRIFT_ARCHIVE_UNREADABLE",
        file: path,
        ...(error.member ? { member: error.member } : {}),
        ...(error.line ? { line: error.line } : {}),
        path: "",
        expected: error.expected,
        received: error.received,
        message: error.message,
      });
    }
    throw error;
  }
}

/** The DNS answer rows of a kernel layer, as name derivation reads them (rows of other shapes are skipped). */
export function dnsNameRows(events: readonly Readonly<Record<string, unknown>>[]): NameRow[] {
  const rows: NameRow[] = [];
  for (const event of events) {
    if (event.kind !== "dns_answer" || typeof event.value !== "string" || typeof event.network_destination !== "string") continue;
    const cnames = Array.isArray(event.dns_cnames) && event.dns_cnames.every((c): c is string => typeof c === "string") ? event.dns_cnames : undefined;
    rows.push({ kind: "dns_answer", value: event.value, network_destination: event.network_destination, ...(cnames ? { dns_cnames: cnames } : {}) });
  }
  return rows;
}

/** Projects kernel open rows into sorted unique `access_mode:path` and `flag:path` strings (successful opens only). */
export function kernelFileOperations(events: readonly Readonly<Record<string, unknown>>[]): string[] {
  const out = new Set<string>();
  for (const event of events) {
    if (event.kind !== "openat") continue;
    // Failed opens stay in the surface's filesystem_paths but are not operations (spec §6 item 11).
    if (!(event.status === undefined || event.status === null || event.status === "success")) continue;
    const path = event.value;
    if (typeof path !== "string" || path.length === 0) continue;
    const accessMode = event.access_mode;
    if (typeof accessMode === "string" && accessMode.length > 0) out.add(`${accessMode}:${path}`);
    const flags = event.operation_flags;
    if (Array.isArray(flags)) for (const flag of flags) if (typeof flag === "string" && flag.length > 0) out.add(`${flag}:${path}`);
  }
  return sortUnique(out);
}

// --- internal ---

class Unreadable extends Error {
  constructor(
    message: string,
    readonly member: string | undefined,
    readonly expected: string,
    readonly received: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const DECODER = new TextDecoder("utf-8", { fatal: true });
// Python's str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function observe(path: string, member: MemberBytes, sha256: (bytes: Uint8Array) => string): ArchiveObservation {
  const manifestBytes = member("manifest.json");
  if (manifestBytes === undefined) throw new Unreadable(`${path}: manifest.json not found`, "manifest.json", "a manifest.json member", "missing");
  const manifest = parseJsonMember(path, "manifest.json", manifestBytes);
  const surfaceBytes = member("capability-surface.json");
  if (surfaceBytes === undefined) {
    throw new Unreadable(
      `${path}: capability-surface.json not found (required by the drift comparator)`,
      "capability-surface.json",
      "a capability-surface.json member",
      "missing",
    );
  }
  const surfaceText = decode(path, "capability-surface.json", surfaceBytes);
  const capability = parseJsonText(path, "capability-surface.json", surfaceText);
  if (!isObject(capability))
    throw new Unreadable(`${path}!capability-surface.json: expected JSON object`, "capability-surface.json", "a JSON object", typeof capability);
  // Strings parsed from a text without astral characters have none either: say so once here
  // instead of scanning every derived list again when sorting.
  const surfaceFree = !jsonMayHoldSurrogate(surfaceText);
  const health = optionalObject(path, "observation-health.json", member);
  const correlation = optionalObject(path, "correlation-report.json", member);
  const sdk = ndjsonMember(path, "layers/sdk.ndjson", member, true);
  const kernel = ndjsonMember(path, "layers/kernel.ndjson", member, false);

  let runtimeLabel: string | null = null;
  const tools = new Set<string>();
  const started: { seq: number; callId: string; tool: string }[] = [];
  for (const event of sdk.events) {
    const source = event.source;
    if (runtimeLabel === null && typeof source === "string" && source.length > 0) runtimeLabel = source;
    const tool = event.tool;
    if (typeof tool === "string" && tool.length > 0) tools.add(tool);
    const seq = pythonInt(event.seq);
    const callId = event.tool_call_id;
    if (event.event_type === "tool_call_started" && seq !== undefined && typeof tool === "string" && typeof callId === "string") {
      started.push({ seq, callId, tool });
    }
  }
  // Array.prototype.sort is stable, like Python's sort by seq.
  started.sort((x, y) => x.seq - y.seq);

  return {
    path,
    runId: isObject(manifest) ? (manifest.run_id ?? null) : null,
    runtimeLabel,
    manifestDigest: `sha256:${sha256(manifestBytes)}`,
    surface: {
      filesystem_paths: freeIf(surfaceFree, stringList(capability.filesystem_paths)),
      network_endpoints: freeIf(surfaceFree, stringList(capability.network_endpoints)),
      process_execs: freeIf(surfaceFree, stringList(capability.process_execs)),
      mcp_tools: freeIf(surfaceFree, stringList(capability.mcp_tools)),
      policy_decisions: freeIf(surfaceFree, stringList(capability.policy_decisions)),
    },
    sdkEventCount: sdk.events.length,
    sdkTools: sortUnique(tools),
    sdkToolOrder: started.map((s) => `${s.callId}:${s.tool}`),
    kernelFileOperations: freeIf(kernel.surrogateFree, kernelFileOperations(kernel.events)),
    endpointNames: deriveEndpointNames(dnsNameRows(kernel.events), stringList(capability.network_endpoints)),
    schemas: {
      archive_manifest: schemaOf(manifest),
      capability_surface: schemaOf(capability),
      observation_health: schemaOf(health),
      correlation_report: schemaOf(correlation),
      sdk_event: sdk.schema,
      kernel_event: kernel.schema,
    },
    observationHealth: health,
    correlationReport: correlation,
  };
}

function decode(path: string, name: string, bytes: Uint8Array): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    throw new Unreadable(`${path}!${name}: invalid UTF-8`, name, "UTF-8 text", "invalid UTF-8");
  }
}

function parseJsonMember(path: string, name: string, bytes: Uint8Array): unknown {
  return parseJsonText(path, name, decode(path, name, bytes));
}

function parseJsonText(path: string, name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Unreadable(`${path}!${name}: invalid JSON: ${(error as Error).message}`, name, "JSON", "invalid JSON");
  }
}

function optionalObject(path: string, name: string, member: MemberBytes): Record<string, unknown> | undefined {
  const bytes = member(name);
  if (bytes === undefined) return undefined;
  const value = parseJsonMember(path, name, bytes);
  if (!isObject(value)) throw new Unreadable(`${path}!${name}: expected JSON object`, name, "a JSON object", Array.isArray(value) ? "array" : typeof value);
  return value;
}

function ndjsonMember(
  path: string,
  name: string,
  member: MemberBytes,
  objectsOnly: boolean,
): { events: Record<string, unknown>[]; schema: string | null; surrogateFree: boolean } {
  const bytes = member(name);
  const events: Record<string, unknown>[] = [];
  let schema: string | null = null;
  if (bytes === undefined) return { events, schema, surrogateFree: true };
  const text = decode(path, name, bytes);
  const lines = text.split(LINE_BREAK);
  // A trailing line break does not start another line in Python's splitlines().
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, index) => {
    if (line.trim().length === 0) return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      throw new Unreadable(`${path}!${name}:${index + 1}: invalid JSON: ${(error as Error).message}`, name, "a JSON line", "invalid JSON", index + 1);
    }
    if (!isObject(event)) {
      // The SDK layer must be objects (exit 3); the kernel layer skips other values silently.
      if (objectsOnly)
        throw new Unreadable(
          `${path}!${name}:${index + 1}: expected JSON object`,
          name,
          "a JSON object",
          Array.isArray(event) ? "array" : typeof event,
          index + 1,
        );
      return;
    }
    events.push(event);
    if (schema === null) schema = schemaOf(event);
  });
  return { events, schema, surrogateFree: !jsonMayHoldSurrogate(text) };
}

function schemaOf(value: unknown): string | null {
  return isObject(value) && typeof value.schema === "string" && value.schema.length > 0 ? value.schema : null;
}

// A JSON text can spell an astral character as raw UTF-16 or as an escaped surrogate (\ud83d).
function jsonMayHoldSurrogate(text: string): boolean {
  return textHasSurrogate(text) || ESCAPED_SURROGATE.test(text);
}

const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;

function freeIf(free: boolean, items: string[]): string[] {
  return free ? markSurrogateFree(items) : items;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? sortStrings(value.filter((v): v is string => typeof v === "string")) : [];
}

function pythonInt(value: unknown): number | undefined {
  // Python's isinstance(x, int) also holds for booleans (True == 1).
  if (typeof value === "boolean") return value ? 1 : 0;
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}
