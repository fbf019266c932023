import * as v from "valibot";
import { EVENT_SCHEMA } from "./constants.ts";
import { I32Schema, U64Schema } from "./integers.ts";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import { firstUnsortedIndex } from "./code-point-order.ts";
import { RunIdSchema } from "./run-id.ts";

/** The `--agent-shim` values upstream allows (spec §1.6). */
export const AGENT_SHIMS = ["none", "openai-agents", "gemini-google-genai"] as const;

const RunStartedEventEntries = v.object({
  schema: v.literal(EVENT_SCHEMA),
  run_id: RunIdSchema,
  seq: U64Schema,
  type: v.literal("run_started"),
  agent_shim: v.picklist(AGENT_SHIMS),
  command: v.array(v.string()),
  env_keys: v.array(v.string()),
  window_elapsed_ms: U64Schema,
});

/** The `run_started` row of `events.ndjson` (spec §2.2); `env_keys` are keys only, never values. */
export const RunStartedEventSchema = v.pipe(
  RunStartedEventEntries,
  v.rawCheck<v.InferOutput<typeof RunStartedEventEntries>>(invariants<v.InferOutput<typeof RunStartedEventEntries>>(runStartedViolations)),
);

const RunFinishedEventEntries = v.object({
  schema: v.literal(EVENT_SCHEMA),
  run_id: RunIdSchema,
  seq: U64Schema,
  type: v.literal("run_finished"),
  exit_code: v.nullable(I32Schema),
  signal: v.nullable(I32Schema),
  success: v.boolean(),
  window_elapsed_ms: U64Schema,
});

/** The `run_finished` row of `events.ndjson` (spec §2.2). */
export const RunFinishedEventSchema = v.pipe(
  RunFinishedEventEntries,
  v.rawCheck<v.InferOutput<typeof RunFinishedEventEntries>>(invariants<v.InferOutput<typeof RunFinishedEventEntries>>(runFinishedViolations)),
);

/** One `events.ndjson` row (`assay.runner.event.v0`), told apart by `type`. */
export const RunEventSchema = v.pipe(
  v.variant("type", [RunStartedEventEntries, RunFinishedEventEntries]),
  v.rawCheck<v.InferOutput<typeof RunStartedEventEntries> | v.InferOutput<typeof RunFinishedEventEntries>>(
    invariants<v.InferOutput<typeof RunStartedEventEntries> | v.InferOutput<typeof RunFinishedEventEntries>>((row) =>
      row.type === "run_started" ? runStartedViolations(row) : runFinishedViolations(row),
    ),
  ),
);

/** A `run_started` row. */
export type RunStartedEvent = v.InferOutput<typeof RunStartedEventSchema>;
/** A `run_finished` row. */
export type RunFinishedEvent = v.InferOutput<typeof RunFinishedEventSchema>;
/** One `events.ndjson` row. */
export type RunEvent = v.InferOutput<typeof RunEventSchema>;

// --- internal ---

function runStartedViolations(row: { env_keys: string[] }): InvariantViolation[] {
  // env_keys come from a sorted map of the spec env (spec §2.2): sorted, no duplicates.
  const at = firstUnsortedIndex(row.env_keys);
  if (at < 0) return [];
  return [
    {
      path: ["env_keys", at],
      expected: `a key after ${shown(row.env_keys[at - 1])} in UTF-8 byte order, no duplicates`,
      received: shown(row.env_keys[at]),
      message: "event.v0 run_started row: env_keys must be sorted by UTF-8 bytes without duplicates",
    },
  ];
}

function runFinishedViolations(row: { exit_code: number | null; signal: number | null; success: boolean }): InvariantViolation[] {
  // Rust's ExitStatus::success() is exactly "exit code 0"; a killed process has no exit code.
  const success = row.exit_code === 0;
  if (row.success === success) return [];
  return [
    {
      path: ["success"],
      expected: String(success),
      received: String(row.success),
      message: `event.v0 run_finished row: success must be ${success} when exit_code is ${shown(row.exit_code)}`,
    },
  ];
}
