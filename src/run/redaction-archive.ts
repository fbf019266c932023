import { canonicalJson, parseJson, sortUnique, type JsonValue } from "../evidence/index.ts";
import { decodeLossy, rustSplitWhitespace, rustTrim } from "./ingest-lines.ts";
import type { SurfaceSets } from "./capability-surface.ts";
import { RedactionTally, type Redactor } from "../redaction/index.ts";

/** The archive parts redaction rewrites; the correlation report and health are only swept (spec §3.1). */
export interface RedactableParts<S extends SurfaceSets> {
  readonly surface: S;
  readonly events: Uint8Array;
  readonly kernel: Uint8Array;
  readonly policy: Uint8Array;
  readonly sdk: Uint8Array;
}

/** Redacts surface sets, then the events, kernel, policy and SDK streams, in upstream's order (`redact_in_place`). */
export function redactArchiveParts<S extends SurfaceSets>(
  parts: RedactableParts<S>,
  redactor: Redactor,
): { readonly parts: RedactableParts<S>; readonly tally: RedactionTally } {
  const tally = new RedactionTally();
  const surface = redactSurface(parts.surface, redactor, tally);
  const events = redactNdjsonMember(parts.events, redactor, tally);
  const kernel = redactNdjsonMember(parts.kernel, redactor, tally);
  const policy = redactNdjsonMember(parts.policy, redactor, tally);
  const sdk = redactNdjsonMember(parts.sdk, redactor, tally);
  return { parts: { surface, events, kernel, policy, sdk }, tally };
}

/**
 * Rewrites the surface sets: paths, tools and decisions get the shape pass, endpoints the URL
 * userinfo pass then the shape pass, process execs the argv pass over their whitespace-split
 * tokens; each set is re-sorted by UTF-8 bytes and deduplicated (redaction can merge entries).
 */
export function redactSurface<S extends SurfaceSets>(surface: S, redactor: Redactor, tally: RedactionTally): S {
  const shape = (field: string, values: readonly string[]): string[] => sortUnique(values.map((value) => redactor.redactValue(field, value, tally)));
  const filesystemPaths = shape("filesystem_paths", surface.filesystem_paths);
  const networkEndpoints = sortUnique(
    surface.network_endpoints.map((value) => redactor.redactValue("network_endpoints", redactor.redactUrlUserinfo("network_endpoints", value, tally), tally)),
  );
  const processExecs = sortUnique(surface.process_execs.map((value) => redactExec(value, redactor, tally)));
  const mcpTools = shape("mcp_tools", surface.mcp_tools);
  const policyDecisions = shape("policy_decisions", surface.policy_decisions);
  // Spreading keeps the surface's own key order; overwritten keys keep their places.
  return {
    ...surface,
    filesystem_paths: filesystemPaths,
    network_endpoints: networkEndpoints,
    process_execs: processExecs,
    mcp_tools: mcpTools,
    policy_decisions: policyDecisions,
  };
}

/**
 * Redacts an NDJSON member: every line that parses as JSON gets `redactJsonLine`; blank and
 * non-JSON lines and clean lines stay byte-identical (after lossy UTF-8 decoding, like upstream).
 */
export function redactNdjsonMember(bytes: Uint8Array, redactor: Redactor, tally: RedactionTally): Uint8Array {
  if (bytes.length === 0) return bytes;
  return ENCODER.encode(redactLines(decodeLossy(bytes), redactor, tally));
}

/** Streams `redactNdjsonMember` over chunks, so a large layer never sits whole in memory. */
export async function* redactNdjsonStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  redactor: Redactor,
  tally: RedactionTally,
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  let rest = "";
  for await (const chunk of chunks) {
    rest += decoder.decode(chunk, { stream: true });
    const last = rest.lastIndexOf("\n");
    if (last < 0) continue;
    const complete = rest.slice(0, last + 1);
    rest = rest.slice(last + 1);
    yield ENCODER.encode(redactLines(complete, redactor, tally));
  }
  rest += decoder.decode();
  if (rest !== "") yield ENCODER.encode(redactLines(rest, redactor, tally));
}

/**
 * Redacts one NDJSON line (without its `\n`): every string value gets the shape pass with its
 * parent key as field (array items inherit the array's key, a top-level string gets `""`), a
 * non-empty all-string `command` array gets the argv pass; the line is re-serialized compactly,
 * keys in their original order, only if something was redacted (spec §3.1).
 */
export function redactJsonLine(content: string, redactor: Redactor, tally: RedactionTally): string {
  if (redactor.mode === "disabled_unsafe" || rustTrim(content) === "") return content;
  let value: JsonValue;
  try {
    value = parseJson(content);
  } catch {
    return content;
  }
  // Count into a scratch tally: a line serde_json would refuse is copied, and counts nothing.
  const scratch = new RedactionTally();
  const redacted = redactJsonValue("", value, redactor, scratch);
  if (scratch.total === 0 || !isSerdeValue(value, 0)) return content;
  tally.merge(scratch);
  // deviation: integer-like object keys would print first (JS property order) and non-integer
  // numbers print in JS notation; archive rows carry neither, so bytes match serde_json.
  return canonicalJson(redacted);
}

// --- internal ---

const ENCODER = new TextEncoder();

// serde_json refuses what JSON.parse accepts: lone surrogate escapes, numbers beyond f64, and
// nesting deeper than 127 containers (its recursion limit). Such a line is "not JSON" upstream
// and is copied unchanged, so it must be here too.
const SERDE_MAX_DEPTH = 127;

function isSerdeValue(value: JsonValue, depth: number): boolean {
  switch (typeof value) {
    case "string":
      return value.isWellFormed();
    case "number":
      return Number.isFinite(value);
    case "object":
      if (value === null) return true;
      if (depth >= SERDE_MAX_DEPTH) return false;
      if (Array.isArray(value)) return value.every((item) => isSerdeValue(item, depth + 1));
      return Object.entries(value).every(([key, item]) => key.isWellFormed() && isSerdeValue(item, depth + 1));
    default:
      return true;
  }
}

// Returns `value` itself when nothing in it changed, so clean rows allocate nothing.
function redactJsonValue(field: string, value: JsonValue, redactor: Redactor, tally: RedactionTally): JsonValue {
  if (typeof value === "string") return redactor.redactValue(field, value, tally);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    value.forEach((item, i) => {
      const next = redactJsonValue(field, item, redactor, tally);
      if (next !== item) (out ??= [...value])[i] = next;
    });
    return out ?? value;
  }
  let out: { [key: string]: JsonValue } | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key] as JsonValue;
    // deviation: exec rows (ours) carry an `argv` array, which gets the argv pass like `command`.
    const isArgv = (key === "command" || key === "argv") && Array.isArray(item) && item.length > 0 && item.every((i) => typeof i === "string");
    let next: JsonValue;
    if (isArgv) {
      const before = tally.total;
      const argv = redactor.redactArgv(key, item as string[], tally);
      next = tally.total > before ? argv : item;
    } else next = redactJsonValue(key, item, redactor, tally);
    if (next === item) continue;
    out ??= { ...value };
    // Hint: "__proto__" must stay an own data property, as JSON.parse made it.
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out ?? value;
}

function redactLines(text: string, redactor: Redactor, tally: RedactionTally): string {
  let out = "";
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    out += redactJsonLine(text.slice(start, end), redactor, tally);
    if (newline >= 0) out += "\n";
    start = end + 1;
  }
  return out;
}

function redactExec(value: string, redactor: Redactor, tally: RedactionTally): string {
  const argv = rustSplitWhitespace(value);
  if (argv.length === 0) return value;
  const before = tally.total;
  const out = redactor.redactArgv("process_execs", argv, tally);
  // A changed exec is rejoined with single spaces; a clean one keeps its exact spacing.
  const joined = tally.total > before ? out.join(" ") : value;
  // deviation: a secret can span tokens (`curl -H Authorization: Bearer <token>`), which the
  // per-token passes miss and upstream's sweep then rejects; upstream never fills process_execs.
  return redactor.closeOverSweep("process_execs", joined, tally);
}
