import { compareCodePoints } from "../schema/index.ts";
import { mayContainSecret, PLACEHOLDER_PATTERN, SECRET_RULES, URL_USERINFO_PATTERN } from "./secret-rules.ts";

/** How aggressively values are scrubbed; the string is what `observation_health.redaction.mode` records. */
export type RedactionMode = "shape_and_flag" | "shape_only" | "disabled_unsafe";

/** Pseudo-rule name for a `user:pass` pair in a URL (not in the rules file, spec §3.2). */
export const URL_USERINFO_RULE = "url-userinfo";

/** Pseudo-rule name for the value after a credential flag in an argv (spec §3.2). */
export const CREDENTIAL_FLAG_VALUE_RULE = "credential-flag-value";

/** Argv flags whose value is a credential whatever its shape; compared ASCII case-insensitively (spec §3.2). */
export const CREDENTIAL_FLAGS: readonly string[] = [
  "--token",
  "--api-key",
  "--apikey",
  "--api_key",
  "--key",
  "--secret",
  "--client-secret",
  "--password",
  "--passwd",
  "--pass",
  "-p",
  "--access-key",
  "--access-token",
  "--auth",
  "--authorization",
  "--bearer",
];

/** Value-free running totals of replacements: how many, per rule and per field (never the values). */
export class RedactionTally {
  #total = 0;
  readonly #byRule = new Map<string, number>();
  readonly #byField = new Map<string, number>();

  /** Number of replacements recorded so far. */
  get total(): number {
    return this.#total;
  }

  /** Counts one replacement of `rule` in `field`. */
  record(field: string, rule: string): void {
    this.#total++;
    this.#byRule.set(rule, (this.#byRule.get(rule) ?? 0) + 1);
    this.#byField.set(field, (this.#byField.get(field) ?? 0) + 1);
  }

  /** Adds every count of `other` to this tally. */
  merge(other: RedactionTally): void {
    this.#total += other.#total;
    for (const [rule, n] of other.#byRule) this.#byRule.set(rule, (this.#byRule.get(rule) ?? 0) + n);
    for (const [field, n] of other.#byField) this.#byField.set(field, (this.#byField.get(field) ?? 0) + n);
  }

  /** Counts per rule as `[rule, count]` pairs sorted by UTF-8 bytes of the rule name. */
  byRule(): [string, number][] {
    return sortedEntries(this.#byRule);
  }

  /** Counts per field as `[field, count]` pairs sorted by UTF-8 bytes of the field name. */
  byField(): [string, number][] {
    return sortedEntries(this.#byField);
  }
}

/** A redactor bound to one mode and one key; built once per run (upstream `Redactor`). */
export interface Redactor {
  readonly mode: RedactionMode;
  /** Replaces URL userinfo and secret-shaped spans of a free-form value (path, endpoint, tool, JSON string). */
  redactValue(field: string, input: string, tally: RedactionTally): string;
  /** Replaces the `user:pass` part of `scheme://user:pass@` with a placeholder, keeping scheme and host. */
  redactUrlUserinfo(field: string, input: string, tally: RedactionTally): string;
  /** Redacts an argv: credential-flag values (in `shape_and_flag`) and secret shapes in every token. */
  redactArgv(field: string, argv: readonly string[], tally: RedactionTally): string[];
  /**
   * Redacts whatever the fail-closed sweep would still find in `text` (placeholders read as a
   * space): a no-op on text the sweep passes; used on joined text such as a process exec.
   */
  closeOverSweep(field: string, text: string, tally: RedactionTally): string;
  /** The placeholder `<redacted:RULE:H8>` for `matched` (H8 does not depend on the rule). */
  placeholder(rule: string, matched: string): string;
}

/** Builds a redactor for `mode` keyed by the redaction key bytes (spec §3.2–3.3). */
export function createRedactor(mode: RedactionMode, key: Uint8Array): Redactor {
  const keyBytes = Uint8Array.from(key);
  const active = mode !== "disabled_unsafe";
  const placeholder = (rule: string, matched: string): string => `<redacted:${rule}:${hmacH8(keyBytes, matched)}>`;
  const redactValue = (field: string, input: string, tally: RedactionTally): string => {
    if (!active) return input;
    // deviation: upstream applies the URL userinfo pass to network endpoints only, so a password
    // in a URL in argv, a path or an SDK field reached its archive; here every value gets it.
    const out = shapePass(field, urlUserinfoPass(field, input, tally, placeholder), tally, placeholder);
    // Only text holding a placeholder, or text JSON escaping lengthens, can hide a match from the
    // shape pass (see closeOverSweep).
    return out.includes("<redacted:") || JSON_ESCAPED.test(out) ? closeOverSweep(field, out, tally, placeholder) : out;
  };
  return {
    mode,
    placeholder,
    redactValue,
    redactUrlUserinfo: (field, input, tally) => (active ? urlUserinfoPass(field, input, tally, placeholder) : input),
    closeOverSweep: (field, text, tally) => (active ? closeOverSweep(field, text, tally, placeholder) : text),
    redactArgv: (field, argv, tally) => {
      if (!active) return [...argv];
      return argvPass(field, argv, tally, mode === "shape_and_flag", placeholder, redactValue);
    },
  };
}

/** Whether `token` is a credential flag, compared ASCII case-insensitively like Rust `eq_ignore_ascii_case`. */
export function isCredentialFlag(token: string): boolean {
  return CREDENTIAL_FLAG_SET.has(asciiLowerCase(token));
}

/** First 8 hex digits of HMAC-SHA256(key, text) — the H8 of a placeholder or a key id (spec §3.3). */
export function hmacH8(key: Uint8Array, text: string): string {
  // Bun's native HMAC: node:crypto's module costs milliseconds of start-up for one call.
  return new Bun.CryptoHasher("sha256", key).update(text).digest("hex").slice(0, 8);
}

// --- internal ---

type Placeholder = (rule: string, matched: string) => string;

const CREDENTIAL_FLAG_SET = new Set(CREDENTIAL_FLAGS);

// String.prototype.toLowerCase would turn "--\u212Aey" (Kelvin sign) into "--key"; Rust's
// eq_ignore_ascii_case folds only A–Z.
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

function sortedEntries(map: ReadonlyMap<string, number>): [string, number][] {
  // Rule and field names are sorted like a Rust BTreeMap<String, _>: by UTF-8 bytes (= code points).
  return [...map.entries()].sort(([a], [b]) => compareCodePoints(a, b));
}

// Upstream `shape_pass` (spec §3.2): at each position take every rule's first match at or after
// it (the search sees the text before `pos`, like Rust `find_at`), keep the earliest start, then
// the longest, then the earlier rule; copy pre-existing placeholders through untouched.
function shapePass(field: string, input: string, tally: RedactionTally, placeholder: Placeholder): string {
  if (!mayContainSecret(input)) return input;
  const placeholders = placeholderSpans(input);
  // A rule's first match at or after `pos` stays its first match while `pos` has not passed its
  // start, so each rule is searched again only when the scan moved beyond its cached match.
  const cached: (Span | null | undefined)[] = new Array(SECRET_RULES.length);
  let out = "";
  let pos = 0;
  let changed = false;
  while (pos <= input.length) {
    let best: (Span & { rule: string }) | undefined;
    for (let r = 0; r < SECRET_RULES.length; r++) {
      let span = cached[r];
      if (span === undefined || (span !== null && span.start < pos)) {
        span = findAt(SECRET_RULES[r]!.regex, input, pos);
        cached[r] = span;
      }
      if (span === null) continue;
      if (best === undefined || span.start < best.start || (span.start === best.start && span.end > best.end)) {
        best = { ...span, rule: SECRET_RULES[r]!.name };
      }
    }
    if (best === undefined) {
      out += input.slice(pos);
      break;
    }
    const inside = placeholders.find((p) => best.start >= p.start && best.start < p.end);
    if (inside !== undefined) {
      out += input.slice(pos, inside.end);
      pos = inside.end;
      continue;
    }
    const end = extendOverOverlaps(input, best.start, best.end);
    out += input.slice(pos, best.start) + placeholder(best.rule, input.slice(best.start, end));
    tally.record(field, best.rule);
    changed = true;
    pos = end;
  }
  return changed ? out : input;
}

// deviation: upstream continues after the chosen match, so a match that starts inside it and
// ends beyond it is lost: in `password=x/Bearer <token>` the credential assignment swallows the
// keyword `Bearer` and the token after it stays in clear text (and upstream's sweep, which reads
// the placeholder as a space, no longer sees a bearer token either). The span is extended over
// every such overlapping match; where no matches overlap, the output is upstream's.
function extendOverOverlaps(input: string, start: number, end: number): number {
  for (let grown = true; grown; ) {
    grown = false;
    for (const rule of SECRET_RULES) {
      for (let from = start; from < end; ) {
        const span = findAt(rule.regex, input, from);
        if (span === null || span.start >= end) break;
        if (span.end > end) {
          end = span.end;
          grown = true;
        }
        from = span.start + 1;
      }
    }
  }
  return end;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

function findAt(regex: RegExp, input: string, pos: number): Span | null {
  regex.lastIndex = pos;
  const match = regex.exec(input);
  if (match === null) return null;
  // Hint: no rule can match the empty string, so lastIndex always moved past the match.
  return { start: match.index, end: match.index + match[0].length };
}

function placeholderSpans(input: string): Span[] {
  if (!input.includes("<redacted:")) return [];
  return [...input.matchAll(PLACEHOLDER_PATTERN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

// deviation: upstream's shape pass can leave text its own sweep rejects, because the sweep reads
// each placeholder as a space: `token<ph>=value` sweeps as `token =value`, a credential
// assignment, so upstream aborts the run; and JSON escaping can lengthen a value into a secret's
// shape (`access_token=abcde"` is written with a backslash: six characters after the `=`). Here
// every span the sweep would match (placeholders read as one space, characters as JSON writes
// them) is replaced by a placeholder of that span, until the sweep passes. Text the sweep already
// passes is returned unchanged, so wherever upstream writes an archive the bytes are the same;
// where upstream would abort, we write a redacted archive instead.
function closeOverSweep(field: string, text: string, tally: RedactionTally, placeholder: Placeholder): string {
  let out = text;
  for (;;) {
    const view = sweepView(out);
    if (!mayContainSecret(view.text)) return out;
    let best: (Span & { rule: string }) | undefined;
    for (const rule of SECRET_RULES) {
      const span = findAt(rule.regex, view.text, 0);
      if (span !== null && (best === undefined || span.start < best.start || (span.start === best.start && span.end > best.end))) {
        best = { ...span, rule: rule.name };
      }
    }
    if (best === undefined) return out;
    // Each round turns a match of at least two characters into one that reads as one space, so
    // the swept text shrinks and the loop ends.
    const start = view.starts[best.start] as number;
    const end = view.ends[best.end - 1] as number;
    tally.record(field, best.rule);
    out = out.slice(0, start) + placeholder(best.rule, out.slice(start, end)) + out.slice(end);
  }
}

// Characters JSON escapes into longer text: the quote, the backslash and control characters
// (sweepView tests the same three by code).
const JSON_ESCAPED = /["\\\u0000-\u001f]/;

// The text as the sweep reads it in an archive member: each character as JSON writes it (so `"`
// reads as `\"`), each placeholder as one space; with the span of text behind every character read.
function sweepView(text: string): { text: string; starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  let swept = "";
  let pos = 0;
  const take = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const char = text[i] as string;
      const code = char.charCodeAt(0);
      const written = code < 0x20 || code === 0x22 || code === 0x5c ? JSON.stringify(char).slice(1, -1) : char;
      for (let k = 0; k < written.length; k++) {
        starts.push(i);
        ends.push(i + 1);
      }
      swept += written;
    }
  };
  for (const span of placeholderSpans(text)) {
    take(pos, span.start);
    starts.push(span.start);
    ends.push(span.end);
    swept += " ";
    pos = span.end;
  }
  take(pos, text.length);
  return { text: swept, starts, ends };
}

function urlUserinfoPass(field: string, input: string, tally: RedactionTally, placeholder: Placeholder): string {
  if (!input.includes("@")) return input;
  return input.replace(URL_USERINFO_PATTERN, (whole: string, scheme: string, userinfo: string) => {
    if (userinfo.startsWith("<redacted:")) return whole;
    tally.record(field, URL_USERINFO_RULE);
    return `${scheme}${placeholder(URL_USERINFO_RULE, userinfo)}@`;
  });
}

// Upstream `redact_argv`: argv[0] is the binary (shape pass only); a credential flag arms the next
// token, which is redacted whatever it is (even another flag); `--flag=value` redacts the value.
function argvPass(
  field: string,
  argv: readonly string[],
  tally: RedactionTally,
  flagAware: boolean,
  placeholder: Placeholder,
  redactValue: (field: string, input: string, tally: RedactionTally) => string,
): string[] {
  const out: string[] = [];
  let redactNext = false;
  argv.forEach((token, index) => {
    if (redactNext) {
      redactNext = false;
      tally.record(field, CREDENTIAL_FLAG_VALUE_RULE);
      out.push(placeholder(CREDENTIAL_FLAG_VALUE_RULE, token));
      return;
    }
    if (flagAware && index > 0) {
      const eq = token.indexOf("=");
      if (eq >= 0) {
        const flag = token.slice(0, eq);
        const value = token.slice(eq + 1);
        if (value !== "" && isCredentialFlag(flag)) {
          tally.record(field, CREDENTIAL_FLAG_VALUE_RULE);
          out.push(`${flag}=${placeholder(CREDENTIAL_FLAG_VALUE_RULE, value)}`);
          return;
        }
      }
      if (isCredentialFlag(token)) {
        redactNext = true;
        out.push(token);
        return;
      }
    }
    out.push(redactValue(field, token, tally));
  });
  return out;
}
