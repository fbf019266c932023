import * as v from "valibot";
import { SDK_EVENT_SCHEMA } from "./constants.ts";
import { U64Schema } from "./integers.ts";
import { invariants, type InvariantViolation } from "./_invariant.ts";
import { RunIdSchema } from "./run-id.ts";

/** The SDK `event_type` values upstream accepts (spec §2.5). */
export const SDK_EVENT_TYPES = ["tool_call_started", "tool_call_completed", "run_finished", "run_failed"] as const;

// Ingest trims every string and turns an empty one into null (spec §2.5), so a written row never
// carries "" or surrounding whitespace.
const trimmedNonEmpty = v.pipe(
  v.string(),
  v.check((s: string) => s !== "" && s.trim() === s, "expected a non-empty string without surrounding whitespace (ingest trims, and writes null for empty)"),
);

const SdkEventEntries = v.object({
  schema: v.literal(SDK_EVENT_SCHEMA),
  run_id: RunIdSchema,
  seq: U64Schema,
  event_type: v.picklist(SDK_EVENT_TYPES),
  source: trimmedNonEmpty,
  sdk_name: v.optional(v.nullable(trimmedNonEmpty), null),
  sdk_version: v.optional(v.nullable(trimmedNonEmpty), null),
  tool_call_id: v.optional(v.nullable(trimmedNonEmpty), null),
  tool: v.optional(v.nullable(trimmedNonEmpty), null),
});

/**
 * One `layers/sdk.ndjson` row (`assay.runner.sdk_event.v0`, spec §2.5). The writer always emits
 * the four nullable fields; like upstream's serde reader (`Option` fields), a missing one reads as null.
 */
export const SdkEventSchema = v.pipe(
  SdkEventEntries,
  v.rawCheck<v.InferOutput<typeof SdkEventEntries>>(invariants<v.InferOutput<typeof SdkEventEntries>>(sdkViolations)),
);

/** One SDK row. */
export type SdkEvent = v.InferOutput<typeof SdkEventSchema>;

// --- internal ---

function sdkViolations(row: v.InferOutput<typeof SdkEventEntries>): InvariantViolation[] {
  if (row.event_type !== "tool_call_started" && row.event_type !== "tool_call_completed") return [];
  const violations: InvariantViolation[] = [];
  for (const field of ["tool_call_id", "tool"] as const) {
    const value = row[field];
    if (value === null) {
      violations.push({
        path: [field],
        expected: "a non-empty string",
        received: "null",
        message: `sdk_event.v0 row: event_type "${row.event_type}" requires a non-empty ${field}`,
      });
    }
  }
  return violations;
}
