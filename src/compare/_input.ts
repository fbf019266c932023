import * as v from "valibot";
import { fail, ok, type Issue, type Result } from "../schema/index.ts";
import { describe } from "./_problem.ts";

// Private: how compare's input schemas report. Their messages are written to follow the field's dot
// path ("must be an array"), so an issue reads "surface.mcp_tools.added must be an array"; a
// missing or unknown field is worded here, once, for every schema.

/** The issue code of a field's problem: one code, or one per field (dot path with indexes as `*`). */
export type IssueCode = string | ((field: string) => string);

/** Parses `value` with `schema`: its output, or the first problem (in schema order) naming `file` and the field. */
export function parseInput<TSchema extends v.GenericSchema>(schema: TSchema, value: unknown, file: string, code: IssueCode): Result<v.InferOutput<TSchema>> {
  const result = v.safeParse(schema, value, { abortEarly: true, message: fallbackMessage });
  return result.success ? ok(result.output) : fail(issueOf(result.issues[0], file, code));
}

/** The path of a value nested in `root` by `keys`, for an issue raised by a check over the whole document. */
export function pathTo(root: Readonly<Record<string, unknown>>, [first, ...rest]: readonly [string, ...string[]]): [v.ObjectPathItem, ...v.ObjectPathItem[]] {
  let last = pathItem(root, first);
  const path: [v.ObjectPathItem, ...v.ObjectPathItem[]] = [last];
  for (const key of rest) {
    last = pathItem(isRecord(last.value) ? last.value : {}, key);
    path.push(last);
  }
  return path;
}

// --- internal ---

function issueOf(issue: v.BaseIssue<unknown>, file: string, code: IssueCode): Issue {
  const path = v.getDotPath(issue) ?? "";
  const codeOf = typeof code === "string" ? code : code(path.replace(/\.\d+(?=\.|$)/g, ".*"));
  const at = issue.path?.at(-1);
  if (at?.origin === "key" && issue.expected === "never") {
    return { code: codeOf, file, path, expected: "absent", received: describe(at.value), message: `${path} is not a known field` };
  }
  if (at?.origin === "key") return { code: codeOf, file, path, expected: "present", received: "missing", message: `${path} is missing` };
  const message = path === "" ? issue.message : `${path} ${issue.message}`;
  // The field's value: a check over the whole document (forwarded to a field) has the document as input.
  const received = describe(at === undefined ? issue.input : at.value);
  return { code: codeOf, file, path, expected: issue.expected ?? "a valid value", received, message };
}

// Hint: every schema here carries its own message; this only keeps a forgotten one readable.
function fallbackMessage(issue: v.BaseIssue<unknown>): string {
  return `must be ${issue.expected ?? "valid"}, received ${issue.received}`;
}

function pathItem(input: Readonly<Record<string, unknown>>, key: string): v.ObjectPathItem {
  return { type: "object", origin: "value", input, key, value: input[key] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
