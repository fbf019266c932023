import { fail, ok, type Issue, type Result } from "../schema/index.ts";
import { URL_USERINFO_RULE } from "./redactor.ts";
import { mayContainSecret, once, PLACEHOLDER_PATTERN, SECRET_RULES, translateRustPattern, URL_USERINFO_PATTERN, withoutGlobal } from "./secret-rules.ts";

/** Where the sweep found a secret: the rule upstream would name and the 1-based line of its first hit. */
export interface SweepHit {
  readonly rule: string;
  readonly line: number;
}

/**
 * Returns the first rule, in rule order, that still matches `text` once every placeholder is
 * replaced by a space (upstream `find_unredacted`), or undefined when the text is clean.
 */
export function findUnredacted(text: string): string | undefined {
  const stripped = stripPlaceholders(text);
  const shape = mayContainSecret(stripped) ? SECRET_RULES.find((rule) => rule.test(stripped))?.name : undefined;
  return shape ?? (hasUrlUserinfo(stripped) ? URL_USERINFO_RULE : undefined);
}

/**
 * Whether `text` holds `scheme://user:pass@` outside placeholders. deviation: upstream's sweep
 * checks the 11 shape rules only, so a URL password passed it; ours fails closed on it too,
 * reported after every shape rule.
 */
export function hasUrlUserinfo(text: string): boolean {
  return text.includes("://") && text.includes("@") && userinfoTest().test(text);
}

/**
 * A streaming fail-closed sweep over one member's bytes: feed chunks with `push`, then `finish`.
 * Memory stays one line (plus a pending keyword line), not the whole member; the rule it reports
 * is the one `findUnredacted` would report over the whole text.
 */
export class SecretSweep {
  readonly #decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  #partial = "";
  #line = 0;
  #best: SweepHit | undefined;
  // A line ending in `bearer` or a credential keyword (and `=`/`:`) can start a match that
  // continues on the next line, because `\s` matches "\n"; it waits here for the next line.
  #pending: { text: string; line: number } | undefined;

  /** Feeds the next chunk of the member. */
  push(chunk: Uint8Array | string): void {
    if (this.#best?.rule === FIRST_RULE) return;
    this.#partial += typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let newline = this.#partial.indexOf("\n"); newline >= 0; newline = this.#partial.indexOf("\n", start)) {
      this.#scanLine(this.#partial.slice(start, newline));
      start = newline + 1;
    }
    this.#partial = this.#partial.slice(start);
  }

  /** Ends the member and returns the hit, or undefined when it is clean. */
  finish(): SweepHit | undefined {
    this.#partial += this.#decoder.decode();
    if (this.#partial !== "") this.#scanLine(this.#partial);
    this.#partial = "";
    return this.#best;
  }

  #scanLine(content: string): void {
    this.#line++;
    if (this.#best?.rule === FIRST_RULE) return;
    const stripped = stripPlaceholders(content);
    const pending = this.#pending;
    if (pending !== undefined && WHITESPACE_ONLY.test(stripped)) {
      pending.text += `\n${stripped}`;
      return;
    }
    const text = pending === undefined ? stripped : `${pending.text}\n${stripped}`;
    const firstLine = pending?.line ?? this.#line;
    if (this.#best === undefined && hasUrlUserinfo(stripped)) this.#best = { rule: URL_USERINFO_RULE, line: this.#line };
    if (!mayContainSecret(text)) {
      this.#pending = undefined;
      return;
    }
    const best = this.#best?.rule;
    const limit = best === undefined || best === URL_USERINFO_RULE ? SECRET_RULES.length : SECRET_RULES.findIndex((r) => r.name === best);
    for (let r = 0; r < limit; r++) {
      const rule = SECRET_RULES[r]!;
      if (rule.test(text)) {
        this.#best = { rule: rule.name, line: pending !== undefined && !rule.test(stripped) ? firstLine : this.#line };
        break;
      }
    }
    const continuation = continuationRegex().exec(text);
    if (continuation === null) this.#pending = undefined;
    else {
      const head = text.slice(0, continuation.index);
      this.#pending = { text: text.slice(continuation.index), line: firstLine + head.split("\n").length - 1 };
    }
  }
}

/** A sweep issue; `rule` repeats the rule name in machine form. */
export type SweepIssue = Issue & { readonly rule: string };

/** Sweeps one member's bytes; an issue names the rule and the member, never the value. */
export function sweepMember(member: string, bytes: Uint8Array): SweepIssue | undefined {
  const sweep = new SecretSweep();
  // Decode in slices so a large member never becomes one giant string.
  for (let offset = 0; offset < bytes.length; offset += SLICE) sweep.push(bytes.subarray(offset, offset + SLICE));
  const hit = sweep.finish();
  return hit === undefined ? undefined : sweepIssue(member, hit);
}

/** Sweeps every member (name → bytes) in byte order of the names; any hit fails (upstream `assert_no_unredacted`). */
export function sweepMembers(members: ReadonlyMap<string, Uint8Array>): Result<void> {
  const issues: Issue[] = [];
  for (const name of [...members.keys()].sort()) {
    const issue = sweepMember(name, members.get(name) as Uint8Array);
    if (issue !== undefined) issues.push(issue);
  }
  const [first, ...rest] = issues;
  return first === undefined ? ok(undefined) : fail(first, ...rest);
}

/** Builds the issue for a sweep hit: rule, member and line, never the matched text. */
export function sweepIssue(member: string, hit: SweepHit): SweepIssue {
  return {
    code: "UNREDACTED_SECRET",
    rule: hit.rule,
    file: member,
    member,
    line: hit.line,
    path: "",
    expected: "no secret-shaped value outside redaction placeholders",
    received: `an unredacted ${hit.rule}-shaped value`,
    message:
      `fail-closed redaction sweep found an unredacted ${hit.rule}-shaped value in ${member} (line ${hit.line}); ` +
      "a capture funnel missed it, so no archive is written",
  };
}

// --- internal ---

const SLICE = 1 << 20;
const WHITESPACE_ONLY = /^\p{White_Space}*$/u;

const FIRST_RULE = SECRET_RULES[0]?.name;

const userinfoTest = once(() => withoutGlobal(URL_USERINFO_PATTERN));

// The only rules that can span a "\n" are bearer-token (`bearer\s+…`) and credential-assignment
// (`keyword\b\s*[=:]\s*…`); their values exclude whitespace, so only the head can end a line.
const continuationRegex = once(() =>
  withoutGlobal(translateRustPattern(String.raw`(?i)\b(?:bearer|api[_-]?key|secret|token|password|passwd|access[_-]?key|client[_-]?secret)\s*(?:[=:]\s*)?$`)),
);

function stripPlaceholders(text: string): string {
  return text.includes("<redacted:") ? text.replace(PLACEHOLDER_PATTERN, " ") : text;
}
