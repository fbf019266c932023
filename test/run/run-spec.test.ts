import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { buildRunSpec, newRunId, RunOptionsSchema, type RunOptions } from "../../src/run/index.ts";

const parse = (input: Record<string, unknown>) => v.safeParse(RunOptionsSchema, input);
const options = (input: Record<string, unknown>): RunOptions => v.parse(RunOptionsSchema, input);
const fixedId = () => "run_fixed";

describe("RunOptionsSchema", () => {
  test("fills upstream's defaults and ours", () => {
    expect(options({ command: ["/bin/true"] })).toEqual({
      "agent-shim": "none",
      capture: "auto",
      "kill-grace": 5000,
      "kernel-drain-ms": 100,
      redact: "shape_and_flag",
      "redaction-key": "host-local",
      "unsafe-disable-redaction": false,
      "keep-all-opens": false,
      "upstream-env-scrub": false,
      "egress-mode": "block",
      command: ["/bin/true"],
    });
  });

  test("parses durations and the drain in milliseconds", () => {
    const parsed = options({ command: ["x"], timeout: "2m", "kill-grace": "250ms", "kernel-drain-ms": "40" });
    expect([parsed.timeout, parsed["kill-grace"], parsed["kernel-drain-ms"]]).toEqual([120_000, 250, 40]);
  });

  test("rejects what upstream rejects: ':' in a run id, an unknown shim, an empty command", () => {
    const rejected = [
      parse({ command: ["x"], "run-id": "run:1" }),
      parse({ command: ["x"], "run-id": "" }),
      parse({ command: ["x"], "agent-shim": "langchain" }),
      parse({ command: [] }),
      parse({ command: [""] }),
    ];
    expect(rejected.map((r) => r.success)).toEqual([false, false, false, false, false]);
  });

  test("rejects malformed durations, capture backends and a relative cgroup parent", () => {
    const rejected = [
      parse({ command: ["x"], timeout: "30" }),
      parse({ command: ["x"], timeout: "0s" }),
      parse({ command: ["x"], "kill-grace": "soon" }),
      parse({ command: ["x"], "kernel-drain-ms": "1.5" }),
      parse({ command: ["x"], capture: "dtrace" }),
      parse({ command: ["x"], "cgroup-parent": "sys/fs/cgroup" }),
    ];
    expect(rejected.map((r) => r.success)).toEqual([false, false, false, false, false, false]);
  });
});

describe("buildRunSpec", () => {
  test("injects the three SDK variables only with --sdk-event-log, keys sorted", () => {
    const built = buildRunSpec(options({ command: ["agent"], "agent-shim": "openai-agents", "sdk-event-log": "/dev/shm/sdk.ndjson" }), fixedId);
    expect(built.ok && built.spec.env).toEqual({
      ASSAY_RUNNER_RUN_ID: "run_fixed",
      ASSAY_RUNNER_SDK_EVENT_LOG: "/dev/shm/sdk.ndjson",
      ASSAY_RUNNER_SDK_EVENT_SCHEMA: "assay.runner.sdk_event.v0",
    });
    const plain = buildRunSpec(options({ command: ["agent"] }), fixedId);
    expect(plain.ok && [plain.spec.env, plain.spec.output]).toEqual([{}, "assay-runner-run_fixed.tar.gz"]);
  });

  test("refuses an SDK log without an SDK shim, as upstream's pre-validation does", () => {
    expect(buildRunSpec(options({ command: ["agent"], "sdk-event-log": "/tmp/sdk" }), fixedId)).toEqual({
      ok: false,
      flag: "sdk-event-log",
      message: "--sdk-event-log requires an SDK agent shim (--agent-shim openai-agents or gemini-google-genai)",
    });
  });

  test("records disabled redaction as mode disabled_unsafe", () => {
    const built = buildRunSpec(options({ command: ["x"], "unsafe-disable-redaction": true, redact: "shape_only" }), fixedId);
    expect(built.ok && built.spec.redact).toBe("disabled_unsafe");
  });
});

describe("newRunId", () => {
  test("is run_ and 32 lowercase hex digits, fresh each time", () => {
    const [a, b] = [newRunId(), newRunId()];
    expect([/^run_[0-9a-f]{32}$/.test(a), /^run_[0-9a-f]{32}$/.test(b), a === b]).toEqual([true, true, false]);
  });
});
