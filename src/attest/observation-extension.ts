import type { JsonValue } from "../evidence/index.ts";
import { MAX_NOTES, NOTE_MAX_CHARS } from "./constants.ts";

/** The predicate extension that carries observation health, so a partial capture never reads as complete. */
export interface ObservationExtension {
  /** True only when the kernel layer is complete, nothing was dropped and the session correlation is clean. */
  readonly complete: boolean;
  /** Why not complete, one `field=value` each, in health field order. */
  readonly gaps: readonly string[];
  /** The archive's observation-health document (notes bounded: at most MAX_NOTES, each cut to NOTE_MAX_CHARS). */
  readonly health: { readonly [key: string]: JsonValue };
}

/** Judges an observation-health document and copies it, bounded, into the extension. */
export function buildObservationExtension(health: { readonly [key: string]: JsonValue }): ObservationExtension {
  const gaps: string[] = [];
  if (health.kernel_layer !== "complete") gaps.push(`kernel_layer=${String(health.kernel_layer)}`);
  const drops = health.ringbuf_drops;
  if (drops !== 0 && drops !== 0n) gaps.push(`ringbuf_drops=${String(drops)}`);
  if (health.capture_origin !== undefined && health.capture_origin !== "own") gaps.push(`capture_origin=${String(health.capture_origin)}`);
  if (health.cgroup_correlation !== "clean") gaps.push(`cgroup_correlation=${String(health.cgroup_correlation)}`);
  // A legacy record without the field reads as unknown too (archive spec §5 item 6).
  const coverage = health.network_protocol_coverage ?? "unknown";
  if (coverage === "unknown") gaps.push("network_protocol_coverage=unknown");
  const copy: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(health)) copy[key] = key === "notes" && Array.isArray(value) ? boundNotes(value) : value;
  return { complete: gaps.length === 0, gaps, health: copy };
}

// --- internal ---

function boundNotes(notes: readonly JsonValue[]): JsonValue[] {
  const kept = notes
    .slice(0, MAX_NOTES)
    .map((note) =>
      typeof note === "string" && note.length > NOTE_MAX_CHARS
        ? `${cutAt(note, NOTE_MAX_CHARS)}… [cut at ${NOTE_MAX_CHARS} of ${note.length} characters]`
        : note,
    );
  if (notes.length > MAX_NOTES) kept.push(`… ${notes.length - MAX_NOTES} more notes in the archive's observation-health.json`);
  return kept;
}

// Never splits a surrogate pair, so the copy stays well-formed UTF-16.
function cutAt(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
