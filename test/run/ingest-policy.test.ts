import { describe, expect, test } from "bun:test";
import { encodePolicyLayer, ingestPolicyLog } from "../../src/run/ingest-policy.ts";

const FILE = "/x/y.ndjson";
// Upstream policy.rs fixture: a CloudEvents-style decision from `assay mcp wrap --decision-log`.
const DECISION =
  '{"specversion":"1.0","id":"evt_decision_001","type":"assay.tool.decision","source":"assay://runner-spike/run_001","time":"2026-05-20T00:00:00Z","data":{"tool":"read_file","decision":"allow","reason_code":"P_TOOL_ALLOWED","tool_call_id":"tc_runner_policy_001"}}';
const decision = (top: Record<string, unknown>, data?: Record<string, unknown>) =>
  JSON.stringify({
    type: "assay.tool.decision",
    source: "assay://runner-spike/run_001",
    data: { tool: "read_file", decision: "allow", tool_call_id: "tc_1", ...data },
    ...top,
  });
const firstIssue = (text: string) => {
  const result = ingestPolicyLog(text, FILE, "run_001");
  if (result.ok) throw new Error("expected the log to be rejected");
  const { code, line, path, message } = result.issues[0];
  return { code, line, path, message };
};

describe("ingestPolicyLog", () => {
  test("turns upstream's decision fixture into the spec's policy row", () => {
    const result = ingestPolicyLog(`${DECISION}\n`, FILE, "run_001");
    if (!result.ok) throw new Error(result.issues[0].message);
    expect(new TextDecoder().decode(encodePolicyLayer(result.value))).toEqual(
      '{"schema":"assay.runner.policy_event.v0","run_id":"run_001","seq":0,"source_event_type":"assay.tool.decision","source":"assay://runner-spike/run_001","tool_call_id":"tc_runner_policy_001","tool":"read_file","decision":"allow"}\n',
    );
  });

  test("numbers rows from 0, skips blank lines and stores trimmed values", () => {
    const text = `\n${decision({ source: " s " }, { tool: " write_file ", decision: "deny" })}\r\n\n${decision({})}`;
    const result = ingestPolicyLog(text, FILE, "run_001");
    expect(result.ok && result.value.map((e) => [e.seq, e.source, e.tool, e.decision])).toEqual([
      [0, "s", "write_file", "deny"],
      [1, "assay://runner-spike/run_001", "read_file", "allow"],
    ]);
  });

  test("rejects an empty log", () => {
    expect(firstIssue("\n")).toEqual({ code: "POLICY_LOG_EMPTY", line: undefined, path: "", message: `policy log ${FILE}: did not contain decision events` });
  });

  test("rejects another event type and reports the observed one", () => {
    expect(firstIssue('{"type":"assay.other.event","source":"assay://test","data":{}}')).toEqual({
      code: "POLICY_LOG_UNEXPECTED_TYPE",
      line: 1,
      path: "type",
      message: `policy log ${FILE}:1: type must be assay.tool.decision, found "assay.other.event"`,
    });
  });

  test("stringifies a non-string type for the message", () => {
    expect(firstIssue('{"type":7}').message).toEqual(`policy log ${FILE}:1: type must be assay.tool.decision, found 7`);
  });

  test("reports a missing top-level source as source, not data.source", () => {
    expect(firstIssue(decision({ source: undefined })).path).toEqual("source");
  });

  test("reports an empty data field with its dotted path and 1-based line", () => {
    expect(firstIssue(`${decision({})}\n\n${decision({}, { tool: "  " })}`)).toEqual({
      code: "POLICY_LOG_MISSING_FIELD",
      line: 3,
      path: "data.tool",
      message: `policy log ${FILE}:3: data.tool must be a non-empty string`,
    });
  });

  test("checks data.tool, then data.tool_call_id, then data.decision", () => {
    expect(firstIssue(decision({}, { tool_call_id: 5, decision: "" })).path).toEqual("data.tool_call_id");
    expect(firstIssue(decision({}, { decision: null })).path).toEqual("data.decision");
  });

  test("rejects a decision without data", () => {
    expect(firstIssue('{"type":"assay.tool.decision","source":"s"}').path).toEqual("data");
  });

  test("rejects a line that is not JSON", () => {
    expect(firstIssue("not json").code).toEqual("POLICY_LOG_INVALID_JSON");
  });
});
