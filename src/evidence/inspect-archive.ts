import type { Issue } from "../schema/index.ts";
import { readArchive, type ArchiveKind } from "./archive-reader.ts";
import { isMemberName, isNdjsonMember } from "./member-names.ts";
import { parseJson, type JsonValue } from "./parse-json.ts";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "./tar-parser.ts";

/** A reviewer's overview of one archive; best effort, it does not verify (use verifyArchive for that). */
export interface ArchiveSummary {
  readonly path: string;
  readonly kind: ArchiveKind;
  readonly runId: string | null;
  /** `sha256:` + hex of the exact manifest bytes, null without a manifest. */
  readonly manifestDigest: string | null;
  /** From the `run_started` event. */
  readonly command: readonly string[] | null;
  readonly agentShim: string | null;
  /** From the `run_finished` event. */
  readonly exitCode: number | null;
  readonly signal: number | null;
  readonly success: boolean | null;
  readonly elapsedMs: number | null;
  /** The scalar fields of observation-health.json (platform, kernel_layer, ringbuf_drops, …). */
  readonly health: Readonly<Record<string, string | number | boolean>> | null;
  readonly notes: readonly string[];
  /** Rows (lines) per NDJSON member. */
  readonly rows: Readonly<Record<string, number>>;
  /** Bytes per member. */
  readonly bytes: Readonly<Record<string, number>>;
  /** Entries per capability-surface list (filesystem_paths, network_endpoints, …). */
  readonly surface: Readonly<Record<string, number>> | null;
  /** The health record's redaction block, when the producer wrote one (absent before ADR-034). */
  readonly redaction: JsonValue | null;
  /** Problems that kept parts from being read. */
  readonly issues: readonly Issue[];
}

/** Summarizes an archive (`.tar.gz` or directory) in one streaming pass; throws ArchiveReadError only when the path cannot be read. */
export async function inspectArchive(path: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<ArchiveSummary> {
  const rows: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  const kept = new Map<string, Uint8Array>();
  let manifestDigest: string | null = null;
  const outcome = await readArchive(
    path,
    (name) => {
      if (!isMemberName(name)) return undefined;
      bytes[name] = 0;
      const hasher = name === "manifest.json" ? new Bun.CryptoHasher("sha256") : undefined;
      // events.ndjson holds two rows and the JSON members are small: keep those; count the layers' lines.
      const keeps = !isNdjsonMember(name) || name === "events.ndjson";
      const chunks: Uint8Array[] = [];
      let lines = 0;
      let lastByte = 0x0a;
      return {
        write(chunk) {
          bytes[name]! += chunk.length;
          hasher?.update(chunk);
          if (keeps && bytes[name]! <= KEEP_LIMIT) chunks.push(chunk.slice());
          if (!isNdjsonMember(name) || chunk.length === 0) return;
          for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
          lastByte = chunk[chunk.length - 1]!;
        },
        end() {
          if (isNdjsonMember(name)) rows[name] = lines + (lastByte === 0x0a ? 0 : 1);
          if (hasher !== undefined) manifestDigest = `sha256:${hasher.digest("hex")}`;
          if (keeps && bytes[name]! <= KEEP_LIMIT) kept.set(name, Buffer.concat(chunks));
        },
      };
    },
    limits,
  );
  const manifest = objectOf(parse(kept.get("manifest.json")));
  const health = objectOf(parse(kept.get("observation-health.json")));
  const surface = objectOf(parse(kept.get("capability-surface.json")));
  const events = textOf(kept.get("events.ndjson"))
    ?.split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => objectOf(tryParse(line)));
  const started = events?.find((event) => event?.type === "run_started");
  const finished = events?.find((event) => event?.type === "run_finished");
  return {
    path,
    kind: outcome.kind,
    runId: stringOf(manifest?.run_id),
    manifestDigest,
    command: Array.isArray(started?.command) ? started.command.filter((part): part is string => typeof part === "string") : null,
    agentShim: stringOf(started?.agent_shim),
    exitCode: numberOf(finished?.exit_code),
    signal: numberOf(finished?.signal),
    success: typeof finished?.success === "boolean" ? finished.success : null,
    elapsedMs: numberOf(finished?.window_elapsed_ms),
    health: health === undefined ? null : scalarsOf(health),
    notes: Array.isArray(health?.notes) ? health.notes.filter((note): note is string => typeof note === "string") : [],
    rows,
    bytes,
    surface:
      surface === undefined
        ? null
        : Object.fromEntries(
            Object.entries(surface)
              .filter(([, v]) => Array.isArray(v))
              .map(([k, v]) => [k, (v as unknown[]).length]),
          ),
    redaction: health?.redaction ?? null,
    issues: outcome.issues,
  };
}

// --- internal ---

const KEEP_LIMIT = 16 * 2 ** 20;
const DECODER = new TextDecoder("utf-8", { fatal: true });

function textOf(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    return DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}

function parse(bytes: Uint8Array | undefined): JsonValue | undefined {
  const text = textOf(bytes);
  return text === undefined ? undefined : tryParse(text);
}

function tryParse(text: string): JsonValue | undefined {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

function objectOf(value: JsonValue | undefined): { [key: string]: JsonValue } | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

function stringOf(value: JsonValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function numberOf(value: JsonValue | undefined): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return null;
}

function scalarsOf(record: { [key: string]: JsonValue }): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "schema" || key === "run_id") continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (typeof value === "bigint") out[key] = Number(value);
  }
  return out;
}
