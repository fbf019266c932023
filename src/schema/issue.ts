/** One problem found in some input: where it is, what was expected, what was found. */
export interface Issue {
  /** SCREAMING_SNAKE machine code, e.g. MEMBER_DIGEST_MISMATCH. */
  readonly code: string;
  /** The file (or archive) the problem is in. */
  readonly file: string;
  /** The archive member, when the file is an archive. */
  readonly member?: string;
  /** 1-based line, for NDJSON and logs. */
  readonly line?: number;
  /** Dot path of the field, empty for the whole document. */
  readonly path: string;
  readonly expected: string;
  readonly received: string;
  readonly message: string;
}

/** A value, or the non-empty list of problems that prevented it. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly [Issue, ...Issue[]] };

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps one or more issues as a failed result. */
export function fail<T = never>(first: Issue, ...rest: Issue[]): Result<T> {
  return { ok: false, issues: [first, ...rest] };
}

/** Renders an issue as `file:line: member › path: message`. */
export function formatIssue(issue: Issue): string {
  const place = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const member = issue.member ? ` ${issue.member}` : "";
  const path = issue.path ? ` › ${issue.path}` : "";
  // Without member or path the message follows the place directly ("file:3: …", not "file:3:: …").
  return member || path ? `${place}:${member}${path}: ${issue.message}` : `${place}: ${issue.message}`;
}
