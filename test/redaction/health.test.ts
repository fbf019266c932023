import { describe, expect, test } from "bun:test";
import { canonicalJson } from "../../src/evidence/index.ts";
import { RedactionSchema } from "../../src/schema/index.ts";
import * as v from "valibot";
import { buildRedactionHealth, disabledRedactionHealth } from "../../src/redaction/index.ts";
import { RedactionTally } from "../../src/redaction/index.ts";

describe("the observation_health.redaction block", () => {
  test("carries mode, count, sorted per-rule and per-field counts, key scope and key id in upstream order", () => {
    const tally = new RedactionTally();
    tally.record("process_execs", "credential-flag-value");
    tally.record("command", "credential-flag-value");
    tally.record("network_endpoints", "url-userinfo");
    tally.record("filesystem_paths", "github-token");
    const block = buildRedactionHealth("shape_and_flag", tally, { scope: "host_local", keyId: "hmac-sha256:d59e5ced" });
    expect(canonicalJson(block)).toEqual(
      '{"mode":"shape_and_flag","redacted_count":4,"by_rule":{"credential-flag-value":2,"github-token":1,"url-userinfo":1},' +
        '"by_field":{"command":1,"filesystem_paths":1,"network_endpoints":1,"process_execs":1},"key_scope":"host_local","key_id":"hmac-sha256:d59e5ced"}',
    );
    expect(v.safeParse(RedactionSchema, block).success).toEqual(true);
  });

  test("is exactly upstream's block with --unsafe-disable-redaction", () => {
    expect(canonicalJson(disabledRedactionHealth())).toEqual(
      '{"mode":"disabled_unsafe","redacted_count":0,"by_rule":{},"by_field":{},"key_scope":"ephemeral","key_id":"none"}',
    );
  });
});
