// Redaction of what the runner archives (archive spec §3): argv, SDK fields, env values, the sweep.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createRedactor, RedactionTally } from "../../src/redaction/index.ts";
import { keyId } from "../../src/redaction/index.ts";
import { openArchive, writeKeyFile } from "../run/_archive.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";

const cannot = skipReason(!host.hasBinary || !host.hasCgroup2, "run e2e needs the compiled binary (bun scripts/build.ts) and root with cgroup v2");

// Secrets are assembled at run time, as upstream's tests do, so no literal token sits in the source.
const githubToken = `ghp_${"0123456789abcdef".repeat(2)}0123`;
const openaiKey = `sk-proj-${"abcdefghij".repeat(3)}`;
const envSecret = `xoxb-${"1234567890".repeat(2)}-envonly`;

function keyBytes(keyFile: string): Uint8Array {
  return Buffer.from(readFileSync(keyFile, "utf8").trim().slice("assay-redaction-key-v1:".length), "base64url");
}

describe("assay-runner run: redaction", () => {
  test.skipIf(cannot)("a secret in argv and in an SDK tool field comes out redacted; an env value never reaches the archive", async () => {
    using dir = tempDir("redact");
    const key = writeKeyFile(dir.path);
    const runId = "run_redaction_e2e";
    const sdkLog = join(dir.path, "sdk.ndjson");
    const archive = join(dir.path, "a.tar.gz");
    const row = (seq: number, type: string) =>
      JSON.stringify({
        schema: "assay.runner.sdk_event.v0",
        run_id: runId,
        seq,
        event_type: type,
        source: "fixture",
        tool_call_id: "tc_1",
        tool: `fetch ${openaiKey}`,
      });
    // The workload copies prepared rows, so the secret reaches the archive only through the SDK channel.
    const rows = join(dir.path, "rows.ndjson");
    writeFileSync(rows, `${row(0, "tool_call_started")}\n${row(1, "tool_call_completed")}\n`);
    const script = `cat ${rows} > "$ASSAY_RUNNER_SDK_EVENT_LOG"`;
    const outcome = await runAssay(
      [
        "run",
        "--capture",
        "none",
        "--run-id",
        runId,
        "-o",
        archive,
        "--agent-shim",
        "openai-agents",
        "--sdk-event-log",
        sdkLog,
        "--",
        "sh",
        "-c",
        script,
        "agent",
        "--token",
        githubToken,
      ],
      { env: { ASSAY_REDACTION_KEY_FILE: key, MY_SERVICE_TOKEN: envSecret } },
    );
    const opened = await openArchive(archive);
    const tar = new TextDecoder().decode(gunzipSync(readFileSync(archive)));
    const redactor = createRedactor("shape_and_flag", keyBytes(key));
    const tally = new RedactionTally();
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      command: opened.rows("events.ndjson")[0].command.slice(3),
      tools: opened.rows("layers/sdk.ndjson").map((e) => e.tool),
      secretsInArchive: [githubToken, openaiKey, envSecret].map((s) => tar.includes(s)),
      redaction: opened.json("observation-health.json").redaction,
    }).toEqual({
      exitCode: 0,
      issues: [],
      command: ["agent", "--token", redactor.placeholder("credential-flag-value", githubToken)],
      tools: [redactor.redactValue("tool", `fetch ${openaiKey}`, tally), redactor.redactValue("tool", `fetch ${openaiKey}`, tally)],
      secretsInArchive: [false, false, false],
      redaction: {
        mode: "shape_and_flag",
        redacted_count: 3,
        by_rule: { "credential-flag-value": 1, "openai-key": 2 },
        by_field: { command: 1, tool: 2 },
        key_scope: "host_local",
        key_id: keyId(keyBytes(key)),
      },
    });
  });

  // Issue 14 item 2: upstream rewrites neither the correlation report nor notes; a secret there aborted the run.
  test.skipIf(cannot)("a secret in a binding's tool_call_id is redacted in the correlation report as in the policy layer: one placeholder", async () => {
    using dir = tempDir("redact-binding");
    const key = writeKeyFile(dir.path);
    const archive = join(dir.path, "a.tar.gz");
    const policyLog = join(dir.path, "policy.ndjson");
    writeFileSync(
      policyLog,
      `${JSON.stringify({ type: "assay.tool.decision", source: "assay://x", data: { tool: "read_file", tool_call_id: githubToken, decision: "allow" } })}\n`,
    );
    const outcome = await runAssay(["run", "--capture", "none", "--run-id", "run_sweep", "-o", archive, "--policy-decision-log", policyLog, "--", "true"], {
      env: { ASSAY_REDACTION_KEY_FILE: key },
    });
    const opened = await openArchive(archive);
    const tar = new TextDecoder().decode(gunzipSync(readFileSync(archive)));
    const placeholder = createRedactor("shape_and_flag", keyBytes(key)).placeholder("github-token", githubToken);
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      binding: opened.json("correlation-report.json").bindings.map((b: { tool_call_id: string }) => b.tool_call_id),
      policy: opened.rows("layers/policy.ndjson").map((row) => row.tool_call_id),
      leaked: tar.includes(githubToken),
    }).toEqual({ exitCode: 0, issues: [], binding: [placeholder], policy: [placeholder], leaked: false });
  });

  // Issue 14 item 2: URL userinfo was redacted in network endpoints only.
  test.skipIf(cannot)("passwords in URLs in argv never reach the archive", async () => {
    using dir = tempDir("redact-url");
    const archive = join(dir.path, "a.tar.gz");
    const outcome = await runAssay(
      [
        "run",
        "--capture",
        "none",
        "--run-id",
        "run_url",
        "-o",
        archive,
        "--",
        "/bin/echo",
        "postgres://admin:Sup3rS3cret@db/x",
        "https://user:s3cr3tpw@example.com/x",
      ],
      {
        env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
      },
    );
    const opened = await openArchive(archive);
    const tar = new TextDecoder().decode(gunzipSync(readFileSync(archive)));
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      leaked: ["Sup3rS3cret", "s3cr3tpw"].map((password) => tar.includes(password)),
      kept: /^\/bin\/echo postgres:\/\/<redacted:url-userinfo:[0-9a-f]{8}>@db\/x https:\/\/<redacted:url-userinfo:[0-9a-f]{8}>@example.com\/x$/.test(
        opened.rows("events.ndjson")[0].command.join(" "),
      ),
      byRule: opened.json("observation-health.json").redaction.by_rule,
    }).toEqual({ exitCode: 0, issues: [], leaked: [false, false], kept: true, byRule: { "url-userinfo": 2 } });
  });

  test.skipIf(cannot)("--unsafe-disable-redaction writes raw argv and records disabled_unsafe", async () => {
    using dir = tempDir("redact-off");
    const archive = join(dir.path, "a.tar.gz");
    const outcome = await runAssay([
      "run",
      "--capture",
      "none",
      "--run-id",
      "run_unsafe",
      "-o",
      archive,
      "--unsafe-disable-redaction",
      "--",
      "true",
      "--token",
      githubToken,
    ]);
    const opened = await openArchive(archive);
    expect({
      exitCode: outcome.exitCode,
      command: opened.rows("events.ndjson")[0].command,
      redaction: opened.json("observation-health.json").redaction,
    }).toEqual({
      exitCode: 0,
      command: ["true", "--token", githubToken],
      redaction: { mode: "disabled_unsafe", redacted_count: 0, by_rule: {}, by_field: {}, key_scope: "ephemeral", key_id: "none" },
    });
  });
});
