import { canonicalJson } from "../evidence/index.ts";
import { fail, isSafeRunId, ok, POLICY_EVENT_SCHEMA, POLICY_SOURCE_EVENT_TYPE, type PolicyEvent, type Result } from "../schema/index.ts";
import { parseSerdeJson } from "./ingest-json.ts";
import { rustTrim } from "./ingest-lines.ts";
import { describeReceived, logIssueMaker, nonBlankLines } from "./ingest-log.ts";

/** A policy row (re-exported from the schema for callers of this reader). */
export type { PolicyEvent };

/**
 * Reads a policy decision log (`assay mcp wrap --decision-log`) into policy rows with upstream's
 * line rules: `str::lines`, each line trimmed, blank lines skipped but counted, `type` must be
 * `assay.tool.decision`, `source` and `data.tool`/`tool_call_id`/`decision` non-empty after
 * trim; zero events is an error. Stops at the first problem, like upstream.
 */
export function ingestPolicyLog(text: string, file: string, runId: string): Result<PolicyEvent[]> {
  const issue = logIssueMaker("policy", file);
  if (!isSafeRunId(runId)) {
    return fail(
      issue(
        "POLICY_RUN_ID_UNSAFE",
        undefined,
        "",
        "a run id of ASCII letters, digits, '_' and '-'",
        JSON.stringify(runId),
        "run id may only contain ASCII letters, digits, '_' and '-'",
      ),
    );
  }
  const events: PolicyEvent[] = [];
  for (const { line, text: trimmed } of nonBlankLines(text)) {
    const parsed = parseSerdeJson(trimmed);
    if (!parsed.ok)
      return fail(issue("POLICY_LOG_INVALID_JSON", line, "", "one JSON object per line", "text that is not JSON", `invalid JSON (${parsed.reason})`));
    const value = parsed.value;
    const type = fieldOf(value, "type");
    if (type !== POLICY_SOURCE_EVENT_TYPE) {
      // Upstream prints a non-string type as compact JSON; quoting strings keeps the two apart.
      const received = type === undefined ? "no type" : JSON.stringify(type);
      return fail(
        issue(
          "POLICY_LOG_UNEXPECTED_TYPE",
          line,
          "type",
          JSON.stringify(POLICY_SOURCE_EVENT_TYPE),
          received,
          `type must be ${POLICY_SOURCE_EVENT_TYPE}, found ${received}`,
        ),
      );
    }
    const record = value as Record<string, unknown>;
    if (!Object.hasOwn(record, "data")) {
      return fail(issue("POLICY_LOG_MISSING_FIELD", line, "data", "an object", "nothing", "data is missing"));
    }
    const data = record.data;
    const fields: [string, unknown][] = [
      ["source", record.source],
      ["data.tool", fieldOf(data, "tool")],
      ["data.tool_call_id", fieldOf(data, "tool_call_id")],
      ["data.decision", fieldOf(data, "decision")],
    ];
    const values: string[] = [];
    for (const [path, raw] of fields) {
      const trimmedValue = typeof raw === "string" ? rustTrim(raw) : "";
      if (trimmedValue === "") {
        return fail(issue("POLICY_LOG_MISSING_FIELD", line, path, "a non-empty string", describeReceived(raw), `${path} must be a non-empty string`));
      }
      values.push(trimmedValue);
    }
    const [source, tool, toolCallId, decision] = values as [string, string, string, string];
    events.push({
      schema: POLICY_EVENT_SCHEMA,
      run_id: runId,
      seq: events.length,
      source_event_type: POLICY_SOURCE_EVENT_TYPE,
      source,
      tool_call_id: toolCallId,
      tool,
      decision,
    });
  }
  if (events.length === 0) {
    return fail(issue("POLICY_LOG_EMPTY", undefined, "", "at least one decision event", "no events", "did not contain decision events"));
  }
  return ok(events);
}

/** Encodes one policy row as its exact archive line: compact JSON in struct order, then `\n`. */
export function encodePolicyRow(event: PolicyEvent): string {
  const row = {
    schema: event.schema,
    run_id: event.run_id,
    seq: event.seq,
    source_event_type: event.source_event_type,
    source: event.source,
    tool_call_id: event.tool_call_id,
    tool: event.tool,
    decision: event.decision,
  };
  return `${canonicalJson(row)}\n`;
}

/** Encodes the whole `layers/policy.ndjson` member. */
export function encodePolicyLayer(events: readonly PolicyEvent[]): Uint8Array {
  return new TextEncoder().encode(events.map(encodePolicyRow).join(""));
}

// --- internal ---

function fieldOf(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
