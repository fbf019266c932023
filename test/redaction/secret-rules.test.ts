import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { mayContainSecret, SECRET_RULES, translateRustPattern } from "../../src/redaction/index.ts";
import { repoRoot, skipReason, upstreamFixtures } from "../harness.ts";

const shared = join(upstreamFixtures, "secret-rules.v1.json");

describe("SECRET_RULES", () => {
  test.skipIf(skipReason(!existsSync(shared), `no upstream fixtures at ${upstreamFixtures}`))(
    "the embedded rules file is byte-identical to upstream's secret-rules.v1.json",
    () => {
      expect(readFileSync(join(repoRoot, "src/redaction/secret-rules.v1.json"), "utf8")).toEqual(readFileSync(shared, "utf8"));
    },
  );

  test("holds the 11 rules in upstream order", () => {
    expect(SECRET_RULES.map((rule) => rule.name)).toEqual([
      "aws-access-key-id",
      "github-token",
      "openai-key",
      "slack-token",
      "google-api-key",
      "stripe-key",
      "private-key-pem",
      "jwt",
      "bearer-token",
      "sensitive-query-param",
      "credential-assignment",
    ]);
  });
});

describe("translateRustPattern", () => {
  test("turns a leading (?i) into the i flag", () => {
    const regex = translateRustPattern("(?i)abc");
    expect([regex.source, regex.flags]).toEqual(["abc", "giu"]);
  });

  test("makes \\b a Unicode word boundary", () => {
    const regex = translateRustPattern(String.raw`\bab\b`);
    expect(["ab", "éab", "ab_", "-ab-", "abé"].map((s) => new RegExp(regex.source, "u").test(s))).toEqual([true, false, false, true, false]);
  });

  test("makes \\s Unicode White_Space inside and outside classes", () => {
    const regex = new RegExp(translateRustPattern(String.raw`a\s[^\sx]`).source, "u");
    expect(["a b", "a x", "a\u0085b", "a\ufeffb", "a \u2028"].map((s) => regex.test(s))).toEqual([true, false, true, false, false]);
  });

  test("refuses escapes whose meaning differs between Rust and JS", () => {
    expect(() => translateRustPattern(String.raw`\w+`)).toThrow("unsupported escape");
    expect(() => translateRustPattern("(?x)a")).toThrow("unsupported group");
  });
});

describe("mayContainSecret", () => {
  test("lets through every text some rule matches, including query parameters named sig or signature in any case", () => {
    const fragment = fc.constantFrom(
      "sig",
      "SIG",
      "ſig",
      "Signature",
      "=",
      "abcdef123456",
      "signal",
      " ",
      "&",
      "token",
      "x",
      "\n",
      "ab_CD-ef.GH/ij+KL~mn",
      "Bearer ",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        const matched = SECRET_RULES.some((rule) => new RegExp(rule.regex.source, rule.regex.flags.replace("g", "")).test(text));
        return !matched || mayContainSecret(text);
      }),
      { numRuns: 3000 },
    );
  });

  test("keeps the 11 patterns off an event row whose only near-miss is the signal field", () => {
    const row = '{"schema":"assay.runner.event.v0","seq":1,"type":"run_finished","exit_code":0,"signal":null,"success":true}';
    expect({ row: mayContainSecret(row), query: mayContainSecret("https://x/?SIG=abcdef1") }).toEqual({ row: false, query: true });
  });
});
