import type * as v from "valibot";
import type { Issue } from "./issue.ts";

// Private to schema: the one place valibot issues become our `Issue` objects.

/** Where a document came from. */
export interface Where {
  readonly file: string;
  readonly member?: string | undefined;
  readonly line?: number | undefined;
}

/** Converts valibot issues of one document into our issues; `label` names the document kind in messages. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], label: string, where: Where): Issue[] {
  return issues.flatMap(specific).map((issue) => toIssue(issue, label, where));
}

/** Builds an issue, leaving out `member` and `line` when unknown. */
export function makeIssue(where: Where, code: string, path: string, expected: string, received: string, message: string): Issue {
  return {
    code,
    file: where.file,
    ...(where.member === undefined ? {} : { member: where.member }),
    ...(where.line === undefined ? {} : { line: where.line }),
    path,
    expected,
    received,
    message,
  };
}

/** Joins path keys into a dot path; keys that are not plain words (e.g. `layers/sdk.ndjson`) are bracket-quoted. */
export function dotPath(keys: readonly unknown[]): string {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += out === "" ? String(key) : `.${key}`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

// --- internal ---

// A union that no option accepted reports "expected A | B | C, received Array", which names no
// field. When some option got further into the value (an array whose item is wrong), its deepest
// issues say what to fix: report those instead. Their paths are relative to the union's value.
function specific(issue: v.BaseIssue<unknown>): v.BaseIssue<unknown>[] {
  const options = issue.type === "union" ? issue.issues : undefined;
  if (options === undefined || options.length === 0) return [issue];
  const base = issue.path ?? [];
  const nested = options.flatMap((option) => specific({ ...option, path: [...base, ...(option.path ?? [])] } as v.BaseIssue<unknown>));
  const depth = (i: v.BaseIssue<unknown>) => i.path?.length ?? 0;
  const deepest = Math.max(...nested.map(depth));
  return deepest > base.length ? nested.filter((i) => depth(i) === deepest) : [issue];
}

function toIssue(issue: v.BaseIssue<unknown>, label: string, where: Where): Issue {
  const path = dotPath((issue.path ?? []).map((item) => item.key));
  const expected = issue.expected ?? "a valid value";
  // A length check receives the length; the value itself says more ("received \"\"", not "received 0").
  const received = issue.type === "min_length" && typeof issue.input === "string" ? JSON.stringify(issue.input) : issue.received;
  if (issue.type === "raw_check") {
    return makeIssue(where, "INVARIANT_VIOLATED", path, expected, received, issue.message);
  }
  const field = path === "" ? "document" : `field ${path}`;
  if (issue.kind === "schema" && received === "undefined" && path !== "") {
    // valibot's `expected` for a missing key is the key itself; say plainly that the field is absent.
    return makeIssue(where, "FIELD_MISSING", path, "present", "missing", `${label}: missing required ${field}`);
  }
  return makeIssue(where, "FIELD_INVALID", path, expected, received, `${label}: ${field}: ${detailOf(issue, expected, received)}`);
}

// What a field's message says after its name: expected and received. valibot's default messages
// already end in what was received ("… but received -1"); a custom message does not.
function detailOf(issue: v.BaseIssue<unknown>, expected: string, received: string): string {
  if (issue.kind === "schema") return `expected ${expected}, received ${received}`;
  const message = lowerFirst(issue.message);
  return message.toLowerCase().includes(`received ${received}`.toLowerCase()) ? message : `${message}, received ${received}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
