import { describe, expect, test } from "bun:test";
import { encodeSdkRow, ingestSdkLog } from "../../src/run/ingest-sdk.ts";

const FILE = "/logs/sdk.ndjson";
const row = (fields: Record<string, unknown>) =>
  JSON.stringify({ schema: "assay.runner.sdk_event.v0", run_id: "run_001", seq: 0, event_type: "run_finished", source: "fixture", ...fields });
const firstIssue = (text: string) => {
  const result = ingestSdkLog(text, FILE, "run_001");
  if (result.ok) throw new Error("expected the log to be rejected");
  const { code, line, path, message } = result.issues[0];
  return { code, line, path, message };
};

describe("ingestSdkLog", () => {
  test("accepts tool-call rows in upstream's fixture and encodes them in struct order with nulls", () => {
    const text =
      `${row({ event_type: "tool_call_started", sdk_name: "@openai/agents", sdk_version: "0.0.0-fixture", tool_call_id: "tc_runner_policy_001", tool: "read_file" })}\n` +
      `${row({ seq: 1, event_type: "tool_call_completed", tool_call_id: "tc_runner_policy_001", tool: "read_file", extra: 1 })}\n`;
    const result = ingestSdkLog(text, FILE, "run_001");
    if (!result.ok) throw new Error(result.issues[0].message);
    expect(result.value.map(encodeSdkRow).join("")).toEqual(
      '{"schema":"assay.runner.sdk_event.v0","run_id":"run_001","seq":0,"event_type":"tool_call_started","source":"fixture","sdk_name":"@openai/agents","sdk_version":"0.0.0-fixture","tool_call_id":"tc_runner_policy_001","tool":"read_file"}\n' +
        '{"schema":"assay.runner.sdk_event.v0","run_id":"run_001","seq":1,"event_type":"tool_call_completed","source":"fixture","sdk_name":null,"sdk_version":null,"tool_call_id":"tc_runner_policy_001","tool":"read_file"}\n',
    );
  });

  test("trims strings, turns empty or non-string optional fields into null, and matches run_id after trim", () => {
    const text = row({ run_id: " run_001 ", event_type: " run_failed ", source: " src ", sdk_name: "  ", sdk_version: 3, tool: " t " });
    const result = ingestSdkLog(`\r\n${text}\r\n`, FILE, "run_001");
    expect(result.ok && result.value).toEqual([
      {
        schema: "assay.runner.sdk_event.v0",
        run_id: "run_001",
        seq: 0,
        event_type: "run_failed",
        source: "src",
        sdk_name: null,
        sdk_version: null,
        tool_call_id: null,
        tool: "t",
      },
    ]);
  });

  test("rejects a log without events, naming the file", () => {
    expect(firstIssue("\n\n")).toEqual({ code: "SDK_LOG_EMPTY", line: undefined, path: "", message: `sdk log ${FILE}: did not contain events` });
  });

  test("rejects a wrong schema with the 1-based line, counting blank lines", () => {
    expect(firstIssue(`\n  \n${row({ schema: "assay.runner.sdk_event.v1" })}`)).toEqual({
      code: "SDK_LOG_UNEXPECTED_SCHEMA",
      line: 3,
      path: "schema",
      message: `sdk log ${FILE}:3: schema must be assay.runner.sdk_event.v0, found "assay.runner.sdk_event.v1"`,
    });
  });

  test("rejects a line that is not JSON", () => {
    expect(firstIssue("{not json").code).toEqual("SDK_LOG_INVALID_JSON");
  });

  test("rejects a lone surrogate escape, which serde_json refuses", () => {
    expect(firstIssue(row({ source: "\ud800" })).code).toEqual("SDK_LOG_INVALID_JSON");
  });

  test("rejects a run_id mismatch", () => {
    expect(firstIssue(row({ run_id: "run_002" }))).toEqual({
      code: "SDK_LOG_RUN_ID_MISMATCH",
      line: 1,
      path: "run_id",
      message: `sdk log ${FILE}:1: run_id must be run_001, found run_002`,
    });
  });

  test("rejects a seq gap", () => {
    expect(firstIssue(`${row({})}\n${row({ seq: 2 })}`)).toEqual({
      code: "SDK_LOG_SEQ_MISMATCH",
      line: 2,
      path: "seq",
      message: `sdk log ${FILE}:2: seq must be 1 (contiguous from 0), found 2`,
    });
  });

  for (const raw of ["0.0", "1e0", "-0", "-1", '"0"', "null", "18446744073709551616"]) {
    test(`rejects seq written as ${raw}, which is not a u64 literal`, () => {
      const text = row({}).replace('"seq":0', `"seq":${raw}`);
      expect(firstIssue(text)).toEqual({
        code: "SDK_LOG_MISSING_FIELD",
        line: 1,
        path: "seq",
        message: `sdk log ${FILE}:1: seq must be an unsigned integer, found ${raw}`,
      });
    });
  }

  test("reads seq from the last of duplicate keys, as the parsed object does", () => {
    const text = row({}).replace('"seq":0', '"seq":0.0,"seq":0');
    expect(ingestSdkLog(text, FILE, "run_001").ok).toEqual(true);
  });

  test("rejects a missing field in upstream's check order (run_id before seq before event_type before source)", () => {
    const bare = '{"schema":"assay.runner.sdk_event.v0"}';
    expect(firstIssue(bare).path).toEqual("run_id");
    expect(firstIssue('{"schema":"assay.runner.sdk_event.v0","run_id":"run_001"}').path).toEqual("seq");
    expect(firstIssue('{"schema":"assay.runner.sdk_event.v0","run_id":"run_001","seq":0}').path).toEqual("event_type");
    expect(firstIssue('{"schema":"assay.runner.sdk_event.v0","run_id":"run_001","seq":0,"event_type":"run_finished"}')).toEqual({
      code: "SDK_LOG_MISSING_FIELD",
      line: 1,
      path: "source",
      message: `sdk log ${FILE}:1: source must be a non-empty string`,
    });
  });

  test("names what stood where a string was required: a number or boolean by its value", () => {
    const received = (text: string) => {
      const result = ingestSdkLog(text, FILE, "run_001");
      return result.ok ? undefined : result.issues[0].received;
    };
    expect([received(row({ source: 5 })), received(row({ source: true })), received(row({ source: " " })), received(row({ source: null }))]).toEqual([
      "5",
      "true",
      "an empty string",
      "null",
    ]);
  });

  test("rejects an unsupported event_type", () => {
    expect(firstIssue(row({ event_type: "unknown" })).code).toEqual("SDK_LOG_UNSUPPORTED_EVENT_TYPE");
  });

  test("requires tool_call_id, then tool, on tool-call events", () => {
    expect(firstIssue(row({ event_type: "tool_call_started", tool: "read_file" }))).toEqual({
      code: "SDK_LOG_MISSING_TOOL_CALL_FIELD",
      line: 1,
      path: "tool_call_id",
      message: `sdk log ${FILE}:1: event_type tool_call_started requires tool_call_id (a non-empty string)`,
    });
    expect(firstIssue(row({ event_type: "tool_call_completed", tool_call_id: "tc_runner_sdk_001" })).path).toEqual("tool");
  });

  test("rejects a non-object line as a schema mismatch, like upstream", () => {
    expect(firstIssue("[1,2]").code).toEqual("SDK_LOG_UNEXPECTED_SCHEMA");
  });

  test("refuses an unsafe run id before reading", () => {
    const result = ingestSdkLog(row({}), FILE, "run:1");
    expect(result.ok ? undefined : result.issues[0].code).toEqual("SDK_RUN_ID_UNSAFE");
  });
});
