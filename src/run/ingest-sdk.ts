import { canonicalJson } from "../evidence/index.ts";
import { fail, isSafeRunId, ok, SDK_EVENT_SCHEMA, SDK_EVENT_TYPES, type Result, type SdkEvent } from "../schema/index.ts";
import { parseSerdeJson, rawTokenAsU64, topLevelRawValue } from "./ingest-json.ts";
import { rustTrim } from "./ingest-lines.ts";
import { describeReceived, logIssueMaker, nonBlankLines } from "./ingest-log.ts";

/** An SDK row (re-exported from the schema for callers of this reader). */
export type { SdkEvent };

/**
 * Reads an SDK event log (`--sdk-event-log`) into SDK rows with upstream's rules and check order:
 * schema exact, run_id (trimmed) equal to the run's, seq an unsigned integer literal equal to the
 * number of events so far, event_type supported, tool-call events with tool_call_id and tool,
 * source non-empty; optional strings empty after trim become null; other fields are dropped.
 */
export function ingestSdkLog(text: string, file: string, runId: string): Result<SdkEvent[]> {
  const issue = logIssueMaker("sdk", file);
  if (!isSafeRunId(runId)) {
    return fail(
      issue(
        "SDK_RUN_ID_UNSAFE",
        undefined,
        "",
        "a run id of ASCII letters, digits, '_' and '-'",
        JSON.stringify(runId),
        "run id may only contain ASCII letters, digits, '_' and '-'",
      ),
    );
  }
  const events: SdkEvent[] = [];
  for (const { line, text: trimmed } of nonBlankLines(text)) {
    const event = parseSdkLine(trimmed, line, runId, events.length, issue);
    if (!event.ok) return event;
    events.push(event.value);
  }
  if (events.length === 0) {
    return fail(issue("SDK_LOG_EMPTY", undefined, "", "at least one SDK event", "no events", "did not contain events"));
  }
  return ok(events);
}

// One SDK event line, checked in upstream's order; `expectedSeq` is the number of events before it (its seq must equal it).
function parseSdkLine(trimmed: string, line: number, runId: string, expectedSeq: number, issue: ReturnType<typeof logIssueMaker>): Result<SdkEvent> {
  const parsed = parseSerdeJson(trimmed);
  if (!parsed.ok) return fail(issue("SDK_LOG_INVALID_JSON", line, "", "one JSON object per line", "text that is not JSON", `invalid JSON (${parsed.reason})`));
  const record = asRecord(parsed.value);
  const schema = record === undefined || !Object.hasOwn(record, "schema") ? undefined : record.schema;
  if (schema !== SDK_EVENT_SCHEMA) {
    const received = schema === undefined ? "no schema" : JSON.stringify(schema);
    return fail(
      issue("SDK_LOG_UNEXPECTED_SCHEMA", line, "schema", JSON.stringify(SDK_EVENT_SCHEMA), received, `schema must be ${SDK_EVENT_SCHEMA}, found ${received}`),
    );
  }
  const fields = record as Record<string, unknown>;
  const missing = (path: string, expected: string) =>
    fail<SdkEvent>(issue("SDK_LOG_MISSING_FIELD", line, path, expected, describeReceived(fields[path]), `${path} must be ${expected}`));

  const eventRunId = requiredString(fields, "run_id");
  if (eventRunId === undefined) return missing("run_id", "a non-empty string");
  if (eventRunId !== runId) {
    return fail(
      issue("SDK_LOG_RUN_ID_MISMATCH", line, "run_id", JSON.stringify(runId), JSON.stringify(eventRunId), `run_id must be ${runId}, found ${eventRunId}`),
    );
  }

  const rawSeq = Object.hasOwn(fields, "seq") ? topLevelRawValue(trimmed, "seq") : undefined;
  const seq = rawSeq === undefined ? undefined : rawTokenAsU64(rawSeq);
  if (seq === undefined) {
    const received = rawSeq ?? "nothing";
    return fail(issue("SDK_LOG_MISSING_FIELD", line, "seq", "an unsigned integer", received, `seq must be an unsigned integer, found ${received}`));
  }
  if (seq !== BigInt(expectedSeq)) {
    return fail(issue("SDK_LOG_SEQ_MISMATCH", line, "seq", String(expectedSeq), String(seq), `seq must be ${expectedSeq} (contiguous from 0), found ${seq}`));
  }

  const eventType = requiredString(fields, "event_type");
  if (eventType === undefined) return missing("event_type", "a non-empty string");
  if (!isSdkEventType(eventType)) {
    return fail(
      issue(
        "SDK_LOG_UNSUPPORTED_EVENT_TYPE",
        line,
        "event_type",
        SDK_EVENT_TYPES.join(" | "),
        JSON.stringify(eventType),
        `event_type ${eventType} is not supported (expected one of ${SDK_EVENT_TYPES.join(", ")})`,
      ),
    );
  }
  const toolCallId = optionalString(fields, "tool_call_id");
  const tool = optionalString(fields, "tool");
  const toolCallFault = toolCallFieldFault(eventType, { tool_call_id: toolCallId, tool }, fields, line, issue);
  if (toolCallFault !== undefined) return toolCallFault;
  const source = requiredString(fields, "source");
  if (source === undefined) return missing("source", "a non-empty string");
  return ok({
    schema: SDK_EVENT_SCHEMA,
    run_id: runId,
    seq: expectedSeq,
    event_type: eventType,
    source,
    sdk_name: optionalString(fields, "sdk_name"),
    sdk_version: optionalString(fields, "sdk_version"),
    tool_call_id: toolCallId,
    tool,
  });
}

// Tool-call events need tool_call_id and tool (null: absent or blank after trim).
function toolCallFieldFault(
  eventType: string,
  present: { readonly tool_call_id: string | null; readonly tool: string | null },
  fields: Record<string, unknown>,
  line: number,
  issue: ReturnType<typeof logIssueMaker>,
): Result<never> | undefined {
  if (eventType !== "tool_call_started" && eventType !== "tool_call_completed") return undefined;
  for (const path of ["tool_call_id", "tool"] as const) {
    if (present[path] === null) {
      return fail(
        issue(
          "SDK_LOG_MISSING_TOOL_CALL_FIELD",
          line,
          path,
          "a non-empty string",
          describeReceived(fields[path]),
          `event_type ${eventType} requires ${path} (a non-empty string)`,
        ),
      );
    }
  }
  return undefined;
}

/** Encodes one SDK row as its exact archive line: compact JSON in struct order, nulls present, then `\n`. */
export function encodeSdkRow(event: SdkEvent): string {
  const row = {
    schema: event.schema,
    run_id: event.run_id,
    seq: event.seq,
    event_type: event.event_type,
    source: event.source,
    sdk_name: event.sdk_name,
    sdk_version: event.sdk_version,
    tool_call_id: event.tool_call_id,
    tool: event.tool,
  };
  return `${canonicalJson(row)}\n`;
}

/** Encodes the whole `layers/sdk.ndjson` member. */
export function encodeSdkLayer(events: readonly SdkEvent[]): Uint8Array {
  return new TextEncoder().encode(events.map(encodeSdkRow).join(""));
}

// --- internal ---

function isSdkEventType(value: string): value is SdkEvent["event_type"] {
  return (SDK_EVENT_TYPES as readonly string[]).includes(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function requiredString(fields: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
  if (typeof value !== "string") return undefined;
  const trimmed = rustTrim(value);
  return trimmed === "" ? undefined : trimmed;
}

function optionalString(fields: Record<string, unknown>, key: string): string | null {
  return requiredString(fields, key) ?? null;
}
