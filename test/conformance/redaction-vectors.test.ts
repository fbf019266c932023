// Spec §4.5: vectors produced by running upstream's redact.rs / redaction_key.rs / archive.rs.
// Secrets are assembled at runtime, as upstream's tests do, so no secret-shaped literal is committed.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EVENT_SCHEMA } from "../../src/schema/index.ts";
import { redactArchiveParts } from "../../src/run/redaction-archive.ts";
import { keyId } from "../../src/redaction/index.ts";
import { sweepMember, sweepMembers } from "../../src/redaction/index.ts";
import { createRedactor, RedactionTally } from "../../src/redaction/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";

const KEY = new TextEncoder().encode("installation-secret-key");
const gh = () => `gh${"p"}_${"0123456789abcdef".repeat(2)}0123`;
const aws = () => `AK${"IA"}IOSFODNN7${"EXAMPLE"}`;
const pwShort = () => `${"hunter2"}${"short"}`;
const redactor = createRedactor("shape_and_flag", KEY);

describe("upstream redaction vectors (spec §4.5)", () => {
  const valueCases: [string, () => string, string][] = [
    ["a GitHub token inside a path", () => `/tmp/cfg/${gh()}.json`, "/tmp/cfg/<redacted:github-token:7bee7765>.json"],
    ["an AWS key id inside a path", () => `/etc/${aws()}.conf`, "/etc/<redacted:aws-access-key-id:3fd98819>.conf"],
    ["a password assignment, keyword included", () => `run --opt password=${"hunter2"}supersecret`, "run --opt <redacted:credential-assignment:6b1cad3d>"],
    [
      "two sensitive query parameters",
      () => "https://api.example.com/cb?access_token=abcdef123456&sig=deadbeefcafe",
      "https://api.example.com/cb?<redacted:sensitive-query-param:dde8118f>&<redacted:sensitive-query-param:4553ca70>",
    ],
    ["a bearer token", () => "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", "Authorization: <redacted:bearer-token:cacfee0c>"],
    ["token=<GitHub token>: the earliest start wins", () => `token=${gh()}`, "<redacted:credential-assignment:58da9d0e>"],
    ["an AWS key id after é: Unicode \\b does not match", () => `é${aws()}`, `é${aws()}`],
    ["token=<placeholder>: not idempotent", () => "token=<redacted:github-token:7bee7765>", "<redacted:credential-assignment:a492cb01>"],
  ];
  for (const [name, input, expected] of valueCases) {
    test(`the shape pass gives upstream's output for ${name}`, () => {
      expect(redactor.redactValue("f", input(), new RedactionTally())).toEqual(expected);
    });
  }

  test("the URL userinfo pass redacts user:pass and keeps scheme and host", () => {
    const input = `postgres://svc:${"s3cr3t"}pass@db.internal:5432/app`;
    expect(redactor.redactUrlUserinfo("network_endpoints", input, new RedactionTally())).toEqual(
      "postgres://<redacted:url-userinfo:e6490335>@db.internal:5432/app",
    );
  });

  test("the argv pass redacts flag values, inline values and the token after a bare flag", () => {
    const argv = ["agent", "--password", pwShort(), "--token=abc", "--api-key", "x", "-p"];
    expect(redactor.redactArgv("command", argv, new RedactionTally())).toEqual([
      "agent",
      "--password",
      "<redacted:credential-flag-value:e0583de1>",
      "--token=<redacted:credential-flag-value:ac99a61c>",
      "--api-key",
      "<redacted:credential-flag-value:097a90d3>",
      "-p",
    ]);
  });

  test("key ids of the zero key and of installation-secret-key", () => {
    expect([keyId(new Uint8Array(32)), keyId(KEY)]).toEqual(["hmac-sha256:73eb71f3", "hmac-sha256:d59e5ced"]);
  });

  test("archive-level redaction rewrites command, paths, execs and endpoints with upstream's tally, and the sweep passes", () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const row = (command: string[]) =>
      `${JSON.stringify({ schema: EVENT_SCHEMA, run_id: "run_001", seq: 0, type: "run_started", agent_shim: "none", command, env_keys: [], window_elapsed_ms: 0 })}\n`;
    const surface = {
      schema: "assay.runner.capability_surface.v0",
      run_id: "run_001",
      filesystem_paths: ["/tmp/a.txt", `/tmp/cfg/${gh()}.json`],
      network_endpoints: [`postgres://svc:${"s3cr3t"}pass@db.internal:5432/app`],
      process_execs: [`agent --password ${pwShort()}`],
      mcp_tools: [],
      policy_decisions: [],
    };
    const empty = new Uint8Array();
    const { parts, tally } = redactArchiveParts(
      { surface, events: encode(row(["agent", "--token", gh(), "--verbose"])), kernel: empty, policy: empty, sdk: empty },
      redactor,
    );
    expect(decode(parts.events)).toEqual(row(["agent", "--token", "<redacted:credential-flag-value:7bee7765>", "--verbose"]));
    expect(parts.surface).toEqual({
      ...surface,
      filesystem_paths: ["/tmp/a.txt", "/tmp/cfg/<redacted:github-token:7bee7765>.json"],
      network_endpoints: ["postgres://<redacted:url-userinfo:e6490335>@db.internal:5432/app"],
      process_execs: ["agent --password <redacted:credential-flag-value:e0583de1>"],
    });
    expect({ total: tally.total, by_rule: Object.fromEntries(tally.byRule()), by_field: Object.fromEntries(tally.byField()) }).toEqual({
      total: 4,
      by_rule: { "credential-flag-value": 2, "github-token": 1, "url-userinfo": 1 },
      by_field: { command: 1, filesystem_paths: 1, network_endpoints: 1, process_execs: 1 },
    });
    expect(sweepMember("events.ndjson", parts.events)).toBeUndefined();
    expect(sweepMember("capability-surface.json", encode(JSON.stringify(parts.surface)))).toBeUndefined();
  });
});

describe("redaction over upstream's real archives (spec §4.1)", () => {
  const archives = join(upstreamFixtures, "archives");
  const runs = existsSync(archives) ? readdirSync(archives).sort() : [];
  const members = [
    "capability-surface.json",
    "correlation-report.json",
    "events.ndjson",
    "layers/kernel.ndjson",
    "layers/policy.ndjson",
    "layers/sdk.ndjson",
    "observation-health.json",
  ];
  for (const run of runs) {
    test(`${run}: holds no secret, so every member comes out byte-identical and the sweep passes`, async () => {
      using dir = tempDir("redact-real");
      const tar = Bun.spawn(["tar", "-xzf", join(archives, run, "archive.tar.gz"), "-C", dir.path], { stdout: "pipe", stderr: "pipe" });
      const [stderr, exitCode] = await Promise.all([new Response(tar.stderr).text(), tar.exited]);
      expect({ stderr, exitCode }).toEqual({ stderr: "", exitCode: 0 });
      const bytes = new Map(members.map((m) => [m, new Uint8Array(readFileSync(join(dir.path, m)))] as [string, Uint8Array]));
      const surface = JSON.parse(new TextDecoder().decode(bytes.get("capability-surface.json")));
      const member = (name: string) => bytes.get(name) as Uint8Array;
      const { parts, tally } = redactArchiveParts(
        {
          surface,
          events: member("events.ndjson"),
          kernel: member("layers/kernel.ndjson"),
          policy: member("layers/policy.ndjson"),
          sdk: member("layers/sdk.ndjson"),
        },
        redactor,
      );
      expect([tally.total, parts.surface, parts.events, parts.kernel, parts.policy, parts.sdk]).toEqual([
        0,
        surface,
        member("events.ndjson"),
        member("layers/kernel.ndjson"),
        member("layers/policy.ndjson"),
        member("layers/sdk.ndjson"),
      ]);
      expect(sweepMembers(bytes)).toEqual({ ok: true, value: undefined });
    });
  }
});
