import * as v from "valibot";
import { POLICY_EVENT_SCHEMA } from "./constants.ts";
import { U64Schema } from "./integers.ts";
import { RunIdSchema } from "./run-id.ts";

/** The only `source_event_type` a policy row carries (spec §2.4). */
export const POLICY_SOURCE_EVENT_TYPE = "assay.tool.decision";

/** One `layers/policy.ndjson` row (`assay.runner.policy_event.v0`, spec §2.4); ingest stores its strings trimmed and non-empty. */
export const PolicyEventSchema = v.object({
  schema: v.literal(POLICY_EVENT_SCHEMA),
  run_id: RunIdSchema,
  seq: U64Schema,
  source_event_type: v.literal(POLICY_SOURCE_EVENT_TYPE),
  source: trimmedNonEmpty("source"),
  tool_call_id: trimmedNonEmpty("tool_call_id"),
  tool: trimmedNonEmpty("tool"),
  decision: trimmedNonEmpty("decision"),
});

/** One policy row. */
export type PolicyEvent = v.InferOutput<typeof PolicyEventSchema>;

// --- internal ---

function trimmedNonEmpty(field: string) {
  return v.pipe(
    v.string(),
    v.check((s: string) => s !== "" && s.trim() === s, `expected ${field} to be a non-empty string without surrounding whitespace (ingest trims it)`),
  );
}
