import rulesFile from "./secret-rules.v1.json";

/** One compiled secret-shape rule: its upstream name and a global, Unicode-aware JS regex. */
export interface SecretRule {
  readonly name: string;
  /** The pattern exactly as `secret-rules.v1.json` writes it (Rust regex syntax). */
  readonly source: string;
  /** The translated pattern; flags `gu` (+`i`), so `lastIndex` selects where a search starts. */
  readonly regex: RegExp;
  /** Whether the rule matches anywhere in `text` (a non-global copy: no `lastIndex` carried between calls). */
  test(text: string): boolean;
}

/** Schema string of the embedded rules file. */
export const SECRET_RULES_SCHEMA = "assay.secret-rules.v1";

/** The 11 curated rules of spec §3.2, in upstream order (order only breaks ties). */
export const SECRET_RULES: readonly SecretRule[] = rulesFile.rules.map((rule) => {
  // Translated on first use: a run whose text never passes mayContainSecret never needs them.
  const regex = once(() => translateRustPattern(rule.pattern));
  const tester = once(() => withoutGlobal(regex()));
  return {
    name: rule.name,
    source: rule.pattern,
    get regex(): RegExp {
      return regex();
    },
    test: (text) => tester().test(text),
  };
});

/**
 * A cheap screen run before the rules: false means no rule can match `text`. Every rule match
 * contains one of these literals (the case-insensitive ones under the same Unicode case folding
 * as the `(?i)` rules), so clean text — nearly all text — skips the 11 patterns.
 */
export function mayContainSecret(text: string): boolean {
  for (const literal of SCREEN_CASED) if (text.includes(literal)) return true;
  // toLowerCase maps K (Kelvin) to k but keeps ſ (long s), which Unicode case folding — and so
  // the `(?i)` rules — equate with s; no other non-ASCII character folds to these letters.
  let lower = text.toLowerCase();
  if (lower.includes("\u017f")) lower = lower.replaceAll("\u017f", "s");
  for (const literal of SCREEN_CASELESS) if (lower.includes(literal)) return true;
  return false;
}

/** Matches a placeholder the redactor emits, `<redacted:RULE:H8>` (spec §3.1). */
export const PLACEHOLDER_PATTERN = /<redacted:[a-z-]+:[0-9a-f]{8}>/g;

/** Matches `scheme://user:pass@` (spec §3.2, URL userinfo), with Rust's Unicode `\s`. */
export const URL_USERINFO_PATTERN = /(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(?<userinfo>[^/?#@\p{White_Space}]*:[^/?#@\p{White_Space}]*)@/gu;

/**
 * Translates a Rust `regex` pattern of the rules file into an equivalent JS regex: a leading
 * `(?i)` becomes the `i` flag, `\s` becomes `\p{White_Space}` and `\b` a Unicode word boundary.
 */
export function translateRustPattern(pattern: string): RegExp {
  let flags = "gu";
  let body = pattern;
  if (body.startsWith("(?i)")) {
    flags += "i";
    body = body.slice(4);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "\\") {
      const next = body[i + 1];
      if (next === undefined) throw new Error(`dangling escape in rule pattern ${pattern}`);
      i++;
      if (next === "s") out += "\\p{White_Space}";
      else if (next === "b" && !inClass) out += wordBoundary();
      else if (next === "b" || next === "w" || next === "d" || next === "B" || next === "S" || next === "W" || next === "D") {
        // Hint: these differ between Rust (Unicode) and JS (ASCII); the rules file uses none of them.
        throw new Error(`unsupported escape \\${next} in rule pattern ${pattern}`);
      } else out += `\\${next}`;
      continue;
    }
    if (c === "(" && body[i + 1] === "?" && body[i + 2] !== ":") {
      throw new Error(`unsupported group syntax in rule pattern ${pattern}`);
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return new RegExp(out, flags);
}

/** `make()`, computed on the first call only (patterns compiled when first needed). */
export function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** A copy of `regex` without the `g` flag, for `test` and single `exec` calls. */
export function withoutGlobal(regex: RegExp): RegExp {
  return new RegExp(regex.source, regex.flags.replace("g", ""));
}

// --- internal ---

// Literals that every match of each rule contains (spec §3.2): aws, github, openai, slack,
// google, stripe, pem, jwt; then bearer, sensitive-query-param (token, "sig=", "signature=":
// the rule requires the `=` right after the name) and credential-assignment (api, secret,
// token, passw, access). "sig" alone would pass every event row (`"signal":`) to the 11 patterns.
// (includes() beats a regex alternation here by an order of magnitude.)
const SCREEN_CASED = ["AKIA", "ASIA", "gh", "sk-", "xox", "AIza", "k_live_", "k_test_", "-----BEGIN ", "eyJ"];
const SCREEN_CASELESS = ["bearer", "token", "sig=", "signature=", "api", "secret", "passw", "access"];

// Rust `\b` is Unicode-aware: a word character is Alphabetic, a mark, a decimal digit, a connector
// punctuation or a join control (regex-syntax's `\w`). JS `\b` is ASCII-only even with `u`, so
// `éAKIA…` would match there; lookarounds over the Unicode class restore Rust's behaviour (§5 14).
// (A function, not a const: a rule may be compiled while this module initialises.)
function wordBoundary(): string {
  const word = String.raw`[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`;
  return `(?:(?<=${word})(?!${word})|(?<!${word})(?=${word}))`;
}
