import { describe, expect, test } from "bun:test";
import { createRedactor, isCredentialFlag, RedactionTally, type RedactionMode } from "../../src/redaction/index.ts";

// Secret shapes are assembled at runtime from fragments, so no whole token sits in the repository.
const cat = (...parts: string[]) => parts.join("");
const ALNUM36 = `${"0123456789abcdef".repeat(2)}0123`;
const KEY = new TextEncoder().encode("installation-secret-key");
const redactor = (mode: RedactionMode = "shape_and_flag") => createRedactor(mode, KEY);

/** Redacts `input` with the shape pass and returns the output and the tally as plain data. */
function shape(input: string, mode: RedactionMode = "shape_and_flag") {
  const tally = new RedactionTally();
  const out = redactor(mode).redactValue("f", input, tally);
  return { out, total: tally.total, byRule: Object.fromEntries(tally.byRule()) };
}

/** What the shape pass should give when exactly `secret` inside `before…after` matches `rule`. */
function replaced(before: string, secret: string, after: string, rule: string) {
  return { out: before + redactor().placeholder(rule, secret) + after, total: 1, byRule: { [rule]: 1 } };
}

const unchanged = (input: string) => ({ out: input, total: 0, byRule: {} });

describe("the shape pass, rule by rule", () => {
  const cases: [rule: string, secret: string, miss: string][] = [
    ["aws-access-key-id", cat("AS", "IA", "ABCDEFGHIJ234567"), cat("AK", "IA", "ABCDEFGHIJ2345678")],
    ["github-token", cat("gh", "s_", ALNUM36), cat("gh", "x_", ALNUM36)],
    ["openai-key", cat("sk", "-proj-", "abcdefghij_KLMNOP-qrst"), cat("sk", "-", "short_19_chars_abcd")],
    ["slack-token", cat("xo", "xb-", "1234-abcdef"), cat("xo", "xq-", "1234-abcdef")],
    ["google-api-key", cat("AI", "za", "0123456789abcdefghij_KLMNOPQRSTU-vw"), cat("AI", "za", "0123456789abcdefghij_KLMNOPQRSTU-v")],
    ["stripe-key", cat("pk", "_test_", "0123456789abcdefXY"), cat("pk", "_prod_", "0123456789abcdefXY")],
    ["private-key-pem", cat("-----BEGIN ", "RSA PRIVATE", " KEY-----"), cat("-----BEGIN ", "rsa private", " KEY-----")],
    ["jwt", cat("ey", "Jabcdefghij.", "ey", "Jklmnopqrst.", "uvwxyz0123"), cat("ey", "Jabcdefghij.", "ey", "Jklmnopqrst.", "uvwxyz012")],
    ["bearer-token", cat("BeArEr", "   ", "abcdefghij.klmnop~+/_-", "=="), cat("bearer", " ", "abcdefghijklmnopqrs")],
    ["sensitive-query-param", cat("Refresh-", "Token=", "abcdef"), cat("refresh_", "token=", "abcde")],
    ["credential-assignment", cat("CLIENT_", "SECRET", " : ", "value12"), cat("my", "token=", "value12")],
  ];
  for (const [rule, secret, miss] of cases) {
    test(`${rule} replaces the whole match inside a path`, () => {
      expect(shape(`/cfg/${secret} x`)).toEqual(replaced("/cfg/", secret, " x", rule));
    });
    test(`${rule} leaves a near miss alone`, () => {
      expect(shape(`/cfg/${miss} x`)).toEqual(unchanged(`/cfg/${miss} x`));
    });
  }
});

describe("the shape pass", () => {
  const aws = cat("AK", "IA", "IOSFODNN7", "EXAMPLE");

  test("uses Unicode word boundaries like Rust: letters, digits, marks and connectors block a match", () => {
    for (const input of [`é${aws}`, `_${aws}`, `7${aws}`, `${aws}\u0301`, `${aws}ß`]) expect(shape(input)).toEqual(unchanged(input));
    expect(shape(`-${aws}.`)).toEqual(replaced("-", aws, ".", "aws-access-key-id"));
  });

  test("uses Rust's Unicode whitespace: U+00A0 and U+0085 separate, U+FEFF does not", () => {
    const token = "abcdefghijklmnopqrstuvwxyz";
    expect(shape(`Bearer\u00a0${token}`)).toEqual(replaced("", `Bearer\u00a0${token}`, "", "bearer-token"));
    expect(shape(`Bearer\u0085${token}`)).toEqual(replaced("", `Bearer\u0085${token}`, "", "bearer-token"));
    expect(shape(`Bearer\ufeff${token}`)).toEqual(unchanged(`Bearer\ufeff${token}`));
  });

  test("replaces every secret in one value and counts each", () => {
    const gh = cat("gh", "p_", ALNUM36);
    const tally = new RedactionTally();
    const out = redactor().redactValue("filesystem_paths", `/a/${gh}/${aws}/${gh}`, tally);
    const r = redactor();
    expect([out, Object.fromEntries(tally.byRule()), Object.fromEntries(tally.byField())]).toEqual([
      `/a/${r.placeholder("github-token", gh)}/${r.placeholder("aws-access-key-id", aws)}/${r.placeholder("github-token", gh)}`,
      { "aws-access-key-id": 1, "github-token": 2 },
      { filesystem_paths: 3 },
    ]);
  });

  test("copies existing placeholders through, even when a rule matches inside one", () => {
    const input = "a <redacted:bearer-token:cacfee0c> b <redacted:github-token:7bee7765>";
    expect(shape(input)).toEqual(unchanged(input));
  });

  test("is idempotent on its own output for shapes without a keyword", () => {
    const once = shape(`/tmp/${cat("gh", "p_", ALNUM36)}.json`).out;
    expect(shape(once)).toEqual(unchanged(once));
  });

  test("gives the same H8 to the same secret under different rules", () => {
    const r = redactor();
    expect(r.placeholder("github-token", "x").slice(-9)).toEqual(r.placeholder("jwt", "x").slice(-9));
  });

  test("a different key gives a different placeholder", () => {
    const other = createRedactor("shape_and_flag", new TextEncoder().encode("another-key"));
    expect(other.placeholder("jwt", "x") === redactor().placeholder("jwt", "x")).toEqual(false);
  });

  test("does nothing in disabled_unsafe mode", () => {
    const gh = cat("gh", "p_", ALNUM36);
    expect(shape(gh, "disabled_unsafe")).toEqual(unchanged(gh));
  });

  test("leaves high-entropy digests alone (no entropy rule)", () => {
    const digest = `sha256:${"a1b2c3d4".repeat(8)}`;
    expect(shape(digest)).toEqual(unchanged(digest));
  });
});

describe("the URL userinfo pass", () => {
  const url = (input: string) => {
    const tally = new RedactionTally();
    return { out: redactor().redactUrlUserinfo("network_endpoints", input, tally), total: tally.total };
  };
  const pw = cat("s3cr3t", "pass");

  test("replaces user:pass and keeps scheme, host and path", () => {
    const placeholder = redactor().placeholder("url-userinfo", `svcuser:${pw}`);
    expect(url(`https://svcuser:${pw}@db.example.com:5432/app`)).toEqual({ out: `https://${placeholder}@db.example.com:5432/app`, total: 1 });
  });

  test("leaves a bare user, a host:port and its own output alone", () => {
    const once = url(`https://u:${pw}@h/p`).out;
    for (const input of ["https://justuser@host.com/x", "10.0.0.1:53", "user:pw@host (no scheme)", once]) {
      expect(url(input)).toEqual({ out: input, total: 0 });
    }
  });

  test("replaces each URL of a value", () => {
    const r = redactor();
    expect(url("a://x:y@h b://p:q@i")).toEqual({
      out: `a://${r.placeholder("url-userinfo", "x:y")}@h b://${r.placeholder("url-userinfo", "p:q")}@i`,
      total: 2,
    });
  });
});

describe("the argv pass", () => {
  const argv = (tokens: string[], mode: RedactionMode = "shape_and_flag") => {
    const tally = new RedactionTally();
    const out = redactor(mode).redactArgv("command", tokens, tally);
    return { out, total: tally.total };
  };
  const value = (token: string) => redactor().placeholder("credential-flag-value", token);
  const pw = cat("hunter2", "short");

  test("never treats argv[0] as a flag", () => {
    expect(argv(["--password", "/bin/agent"])).toEqual({ out: ["--password", "/bin/agent"], total: 0 });
  });

  test("consumes the token after a bare flag even if it is a flag, then shape-checks the rest", () => {
    expect(argv(["agent", "--password", "--token", "x"])).toEqual({ out: ["agent", "--password", value("--token"), "x"], total: 1 });
  });

  test("compares flags ASCII case-insensitively and nothing more", () => {
    expect(argv(["agent", "--PassWord", pw])).toEqual({ out: ["agent", "--PassWord", value(pw)], total: 1 });
    expect(argv(["agent", "--\u212Aey", pw])).toEqual({ out: ["agent", "--\u212Aey", pw], total: 0 });
    expect([isCredentialFlag("-P"), isCredentialFlag("--api_KEY"), isCredentialFlag("--tokens")]).toEqual([true, true, false]);
  });

  test("keeps --flag= with an empty value and a trailing bare flag", () => {
    expect(argv(["agent", "--token=", "-p"])).toEqual({ out: ["agent", "--token=", "-p"], total: 0 });
  });

  test("shape-checks ordinary tokens", () => {
    const gh = cat("gh", "p_", ALNUM36);
    expect(argv(["curl", gh])).toEqual({ out: ["curl", redactor().placeholder("github-token", gh)], total: 1 });
  });

  test("in shape_only mode ignores credential flags but still shape-checks every token", () => {
    expect(argv(["agent", "--password", pw, "--token=abc"], "shape_only")).toEqual({ out: ["agent", "--password", pw, "--token=abc"], total: 0 });
    expect(argv(["agent", `--token=${pw}`], "shape_only")).toEqual({
      out: ["agent", `--${redactor().placeholder("credential-assignment", `token=${pw}`)}`],
      total: 1,
    });
  });

  test("in disabled_unsafe mode returns the argv unchanged", () => {
    expect(argv(["agent", "--password", pw], "disabled_unsafe")).toEqual({ out: ["agent", "--password", pw], total: 0 });
  });
});

describe("RedactionTally", () => {
  test("sorts rules and fields by UTF-8 bytes and merges counts", () => {
    const a = new RedactionTally();
    a.record("z", "jwt");
    a.record("\u{1F600}", "aws-access-key-id");
    const b = new RedactionTally();
    b.record("\uFF21", "jwt");
    a.merge(b);
    expect([a.total, a.byRule(), a.byField()]).toEqual([
      3,
      [
        ["aws-access-key-id", 1],
        ["jwt", 2],
      ],
      [
        ["z", 1],
        ["\uFF21", 1],
        ["\u{1F600}", 1],
      ],
    ]);
  });
});

// Issue 14 item 2: URL userinfo was redacted in network endpoints only, and a credential
// assignment could swallow the keyword of a bearer token that followed it.
describe("redaction beyond upstream's passes", () => {
  test("every value gets the URL userinfo pass, not only endpoints", () => {
    const password = cat("Sup3r", "S3cret");
    const tally = new RedactionTally();
    const out = redactor().redactValue("command", `postgres://admin:${password}@db/x`, tally);
    expect([out, Object.fromEntries(tally.byRule())]).toEqual([
      `postgres://${redactor().placeholder("url-userinfo", `admin:${password}`)}@db/x`,
      { "url-userinfo": 1 },
    ]);
  });

  test("a match that starts inside the chosen one and ends beyond it is redacted with it", () => {
    const token = cat("0a0a0a0A0AAA", "0a0a0a0A0AAA");
    const text = `password=abcdef/x,Bearer ${token}; tail`;
    const result = shape(text);
    expect(result).toEqual({
      out: `${redactor().placeholder("credential-assignment", `password=abcdef/x,Bearer ${token}`)}; tail`,
      total: 1,
      byRule: { "credential-assignment": 1 },
    });
  });
});
