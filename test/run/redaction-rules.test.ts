import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SECRET_RULES, translateRustPattern } from "../../src/run/redaction-rules.ts";
import { repoRoot, skipReason, upstreamFixtures } from "../harness.ts";

const shared = join(upstreamFixtures, "secret-rules.v1.json");

describe("SECRET_RULES", () => {
  test.skipIf(skipReason(!existsSync(shared), `no upstream fixtures at ${upstreamFixtures}`))(
    "the embedded rules file is byte-identical to upstream's secret-rules.v1.json",
    () => {
      expect(readFileSync(join(repoRoot, "src/run/redaction-secret-rules.v1.json"), "utf8")).toEqual(readFileSync(shared, "utf8"));
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
