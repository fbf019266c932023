import rulesFile from "./redaction-secret-rules.v1.json";

/** One compiled secret-shape rule: its upstream name and a global, Unicode-aware JS regex. */
export interface SecretRule {
  readonly name: string;
  /** The pattern exactly as `secret-rules.v1.json` writes it (Rust regex syntax). */
  readonly source: string;
  /** The translated pattern; flags `gu` (+`i`), so `lastIndex` selects where a search starts. */
  readonly regex: RegExp;
}

/** Schema string of the embedded rules file. */
export const SECRET_RULES_SCHEMA = "assay.secret-rules.v1";

/** The 11 curated rules of spec §3.2, in upstream order (order only breaks ties). */
export const SECRET_RULES: readonly SecretRule[] = rulesFile.rules.map((rule) => ({
  name: rule.name,
  source: rule.pattern,
  regex: translateRustPattern(rule.pattern),
}));

/** Matches a placeholder the redactor emits, `<redacted:RULE:H8>` (spec §3.1). */
export const PLACEHOLDER_PATTERN = /<redacted:[a-z-]+:[0-9a-f]{8}>/g;

/** Matches `scheme://user:pass@` (spec §3.2, URL userinfo), with Rust's Unicode `\s`. */
export const URL_USERINFO_PATTERN =
  /(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*:\/\/)(?<userinfo>[^\/?#@\p{White_Space}]*:[^\/?#@\p{White_Space}]*)@/gu;

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

// --- internal ---

// Rust `\b` is Unicode-aware: a word character is Alphabetic, a mark, a decimal digit, a connector
// punctuation or a join control (regex-syntax's `\w`). JS `\b` is ASCII-only even with `u`, so
// `éAKIA…` would match there; lookarounds over the Unicode class restore Rust's behaviour (§5 14).
// (A function, not a const: SECRET_RULES is compiled while this module initialises.)
function wordBoundary(): string {
  const word = String.raw`[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`;
  return `(?:(?<=${word})(?!${word})|(?<!${word})(?=${word}))`;
}
