import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { canonicalJson } from "../../src/evidence/index.ts";
import { redactJsonLine, redactSurface } from "../../src/run/redaction-archive.ts";
import { SECRET_RULES } from "../../src/redaction/index.ts";
import { findUnredacted, SecretSweep, sweepMember, sweepMembers } from "../../src/redaction/index.ts";
import { createRedactor, RedactionTally } from "../../src/redaction/index.ts";

const cat = (...parts: string[]) => parts.join("");
const encode = (text: string) => new TextEncoder().encode(text);
const redactor = createRedactor("shape_and_flag", encode("installation-secret-key"));
const RULE_NAMES = SECRET_RULES.map((rule) => rule.name);

// One generator of random secrets per rule (patterns narrowed so the whole string is one match).
const SECRET_SHAPES: Record<string, RegExp> = {
  "aws-access-key-id": /^(?:AKIA|ASIA)[0-9A-Z]{16}$/,
  "github-token": /^gh[pousr]_[A-Za-z0-9]{36,40}$/,
  "openai-key": /^sk-(?:proj-)?[A-Za-z0-9]{20,30}$/,
  "slack-token": /^xox[baprs]-[A-Za-z0-9]{10,20}$/,
  "google-api-key": /^AIza[0-9A-Za-z]{35}$/,
  "stripe-key": /^[sp]k_(?:live|test)_[0-9A-Za-z]{16,24}$/,
  "private-key-pem": /^-----BEGIN (?:[A-Z]{1,5} )?PRIVATE KEY-----$/,
  jwt: /^eyJ[A-Za-z0-9]{10,15}\.eyJ[A-Za-z0-9]{10,15}\.[A-Za-z0-9]{10,15}$/,
  "bearer-token": /^[Bb]earer [A-Za-z0-9]{20,30}$/,
  "sensitive-query-param": /^(?:access_token|sig|signature)=[a-z0-9]{6,10}$/,
  "credential-assignment": /^(?:api_key|secret|password)=[a-z0-9]{6,10}$/,
};
const plantedSecret = fc.constantFrom(...RULE_NAMES).chain((rule) => fc.stringMatching(SECRET_SHAPES[rule] as RegExp).map((secret) => ({ rule, secret })));

// Text built from pieces that make rules meet at their edges: keywords, separators, placeholders,
// secrets, non-ASCII word characters, line breaks and arbitrary Unicode.
const pieces = fc.oneof(
  fc.constantFrom(
    "Bearer ",
    "bearer",
    "token",
    "token=",
    "password:",
    "secret",
    "api_key",
    "sig=",
    "access_token=",
    "=",
    ":",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\u0085",
    "\u00a0",
    // JSON writes these longer
    '"',
    "\\",
    "\u0001\u0002",
    "\t",
    "-",
    "_",
    "é",
    "/",
    "abcdef",
    "x".repeat(24),
    "<redacted:jwt:0123abcd>",
    "<redacted:bearer-token:cacfee0c>",
    "<redacted:",
    ">",
    "@",
    "https://u:p@h",
    "-----BEGIN ",
    " KEY-----",
  ),
  plantedSecret.map((p) => p.secret),
  fc.string({ maxLength: 6, unit: "grapheme" }),
);
const text = fc.array(pieces, { maxLength: 14 }).map((parts) => parts.join(""));

describe("findUnredacted", () => {
  test("names the first rule in rule order, not the first match in the text", () => {
    const gh = cat("gh", "p_", "a".repeat(36));
    const aws = cat("AK", "IA", "IOSFODNN7EXAMPLE");
    expect(findUnredacted(`${gh} ${aws}`)).toEqual("aws-access-key-id");
  });

  test("reads placeholders as a space, so a keyword before one can still match", () => {
    expect([findUnredacted("x <redacted:bearer-token:cacfee0c> y"), findUnredacted("token <redacted:jwt:0123abcd>=abcdefg")]).toEqual([
      undefined,
      "credential-assignment",
    ]);
  });
});

describe("SecretSweep", () => {
  test("finds a bearer token whose keyword ends the previous line, and names that line", () => {
    const sweep = new SecretSweep();
    sweep.push('{"a":1}\nAuthorization: Bearer\n\n   abcdefghijklmnopqrstuvwxyz\n{"b":2}\n');
    expect(sweep.finish()).toEqual({ rule: "bearer-token", line: 2 });
  });

  test("names the keyword's line when the assignment continues over several lines", () => {
    const sweep = new SecretSweep();
    sweep.push("{}\nx token\n=\n\n  abcdefgh\n");
    expect(sweep.finish()).toEqual({ rule: "credential-assignment", line: 2 });
  });

  test("reports the line of the first hit of the reported rule", () => {
    const sweep = new SecretSweep();
    sweep.push(`clean\npassword=abcdefgh\n${cat("AK", "IA", "IOSFODNN7EXAMPLE")}\n`);
    expect(sweep.finish()).toEqual({ rule: "aws-access-key-id", line: 3 });
  });

  test("property: over any chunking of the bytes it agrees with findUnredacted on the whole text", () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
        const bytes = encode(input);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const sweep = new SecretSweep();
        let from = 0;
        for (const to of [...points, bytes.length]) {
          sweep.push(bytes.subarray(from, to));
          from = to;
        }
        expect(sweep.finish()?.rule).toEqual(findUnredacted(input));
      }),
      { numRuns: 250 },
    );
  });
});

describe("redaction output passes the sweep", () => {
  test("property: the redacted value of any text, as JSON writes it into a member, sweeps clean", () => {
    fc.assert(
      fc.property(text, (input) => {
        expect(findUnredacted(JSON.stringify(redactor.redactValue("f", input, new RedactionTally())))).toEqual(undefined);
      }),
      { numRuns: 300 },
    );
  });

  test("the sweep reads a value as its member holds it: a newline JSON escapes does not join a keyword to a placeholder", () => {
    // A random CI run found this: read raw, with the placeholder as a space, it is `secret\n :Bearer`,
    // a credential assignment; in the member the newline is written `\n`, which is no whitespace, and
    // upstream writes these same bytes. So the sweep of the member passes and nothing more is redacted.
    const input = `secret\n${cat("AS", "IA", "00AA0A0AAAA0A000")}:Bearer `;
    const out = redactor.redactValue("f", input, new RedactionTally());
    expect({
      out,
      raw: findUnredacted(out),
      member: sweepMember("events.ndjson", encode(`${canonicalJson({ value: out })}\n`)),
    }).toEqual({
      out: `secret\n${redactor.placeholder("aws-access-key-id", cat("AS", "IA", "00AA0A0AAAA0A000"))}:Bearer `,
      raw: "credential-assignment",
      member: undefined,
    });
  });

  test("property: a redacted surface serializes to JSON the sweep passes", () => {
    // JSON escaping turns "\", '"' and control characters into longer text (`sig=` + six control
    // characters becomes a 36-character value; `access_token=abcde"` gains a backslash and reaches the
    // rule's length): the redactor reads values as JSON writes them, so these are in too.
    const sets = fc.array(text, { maxLength: 4 });
    fc.assert(
      fc.property(sets, sets, sets, sets, sets, (paths, endpoints, execs, tools, decisions) => {
        const surface = {
          schema: "s",
          run_id: "r",
          filesystem_paths: paths,
          network_endpoints: endpoints,
          process_execs: execs,
          mcp_tools: tools,
          policy_decisions: decisions,
        };
        const out = redactSurface(surface, redactor, new RedactionTally());
        expect(sweepMember("capability-surface.json", encode(canonicalJson(out)))).toEqual(undefined);
      }),
      { numRuns: 60 },
    );
  });

  test("property: a redacted NDJSON row with strings and a command array sweeps clean", () => {
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 1, maxLength: 5 }), (tool, command) => {
        const row = canonicalJson({ schema: "assay.runner.event.v0", tool, command, nested: { paths: [tool] } });
        expect(sweepMember("events.ndjson", encode(`${redactJsonLine(row, redactor, new RedactionTally())}\n`))).toEqual(undefined);
      }),
      { numRuns: 120 },
    );
  });

  test("a value JSON escaping lengthens into a secret's shape is redacted, not left for the sweep to reject", () => {
    const tally = new RedactionTally();
    const surface = { filesystem_paths: ['/w/access_token=abcde"'], network_endpoints: [], process_execs: [], mcp_tools: [], policy_decisions: [] };
    const out = redactSurface(surface, redactor, tally);
    expect({
      unredactedBefore: sweepMember("capability-surface.json", encode(canonicalJson(surface)))?.rule,
      sweptAfter: sweepMember("capability-surface.json", encode(canonicalJson(out))),
      rules: tally.byRule(),
    }).toEqual({ unredactedBefore: "sensitive-query-param", sweptAfter: undefined, rules: [["sensitive-query-param", 1]] });
  });

  test("a secret spanning exec tokens is redacted, not left for the sweep to reject", () => {
    const token = "abcdefghijklmnopqrstuvwxyz";
    const surface = {
      filesystem_paths: [],
      network_endpoints: [],
      process_execs: [`curl -H Authorization: Bearer ${token}`],
      mcp_tools: [],
      policy_decisions: [],
    };
    const tally = new RedactionTally();
    expect([redactSurface(surface, redactor, tally).process_execs, tally.byRule()]).toEqual([
      [`curl -H Authorization: ${redactor.placeholder("bearer-token", `Bearer ${token}`)}`],
      [["bearer-token", 1]],
    ]);
  });

  test("a keyword, a placeholder and an assignment are redacted together (upstream would abort)", () => {
    // fast-check found this one: the PEM header has no \b, so it matches right after "token".
    const pem = cat("-----BEGIN ", "PRIVATE", " KEY-----");
    const tally = new RedactionTally();
    const out = redactor.redactValue("f", `token${pem}=Bearer `, tally);
    const joined = `token${redactor.placeholder("private-key-pem", pem)}=Bearer`;
    expect([out, tally.byRule()]).toEqual([
      `${redactor.placeholder("credential-assignment", joined)} `,
      [
        ["credential-assignment", 1],
        ["private-key-pem", 1],
      ],
    ]);
  });
});

describe("sweepMembers", () => {
  test("property: a secret planted in any member is caught there, by its rule or an earlier one", () => {
    const members = ["capability-surface.json", "correlation-report.json", "events.ndjson", "layers/kernel.ndjson", "observation-health.json"];
    const cleanLine = fc.string({ maxLength: 30 }).filter((s) => findUnredacted(s) === undefined && !s.includes("\n"));
    fc.assert(
      fc.property(fc.constantFrom(...members), fc.array(cleanLine, { minLength: 1, maxLength: 6 }), fc.nat(), plantedSecret, (member, lines, at, planted) => {
        fc.pre(findUnredacted(lines.join("\n")) === undefined);
        const index = at % lines.length;
        const withSecret = lines.map((l, i) => (i === index ? `${l} ${planted.secret} ` : l));
        const files = new Map(members.map((m) => [m, encode(m === member ? withSecret.join("\n") : "{}")] as [string, Uint8Array]));
        const result = sweepMembers(files);
        expect(result.ok).toEqual(false);
        if (result.ok) return;
        const [issue, ...rest] = result.issues;
        expect([issue.member, rest.length, issue.code]).toEqual([member, 0, "UNREDACTED_SECRET"]);
        const rule = "rule" in issue ? String(issue.rule) : "";
        expect(RULE_NAMES.indexOf(rule) >= 0 && RULE_NAMES.indexOf(rule) <= RULE_NAMES.indexOf(planted.rule)).toEqual(true);
        expect(issue.message.includes(planted.secret)).toEqual(false);
      }),
      { numRuns: 200 },
    );
  });

  test("passes clean members", () => {
    expect(
      sweepMembers(
        new Map([
          ["a.json", encode("{}")],
          ["b.ndjson", encode('{"x":"<redacted:jwt:0123abcd>"}\n')],
        ]),
      ),
    ).toEqual({ ok: true, value: undefined });
  });
});

describe("the sweep and URL userinfo", () => {
  test("fails closed on a URL password after every shape rule, and passes its placeholder", () => {
    const url = `https://user:${"pw".repeat(4)}@example.com/x`;
    const sweep = new SecretSweep();
    sweep.push(`{"a":"clean"}\n{"command":["${url}"]}\n`);
    expect([
      findUnredacted(url),
      sweep.finish(),
      findUnredacted("https://<redacted:url-userinfo:0123abcd>@example.com/x"),
      findUnredacted("ssh://git@host/x"),
    ]).toEqual(["url-userinfo", { rule: "url-userinfo", line: 2 }, undefined, undefined]);
  });
});
