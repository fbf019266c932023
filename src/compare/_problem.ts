import type { Issue } from "../schema/index.ts";

// Private: lets deep validation code stop at the first structural fault the way upstream's
// `raise` does, while the public functions still return problems as data (Result).

/** A structural fault found while projecting; caught by the public function and returned as an Issue. */
export class Problem extends Error {
  constructor(readonly issue: Issue) {
    super(issue.message);
  }
}

/** Throws a Problem for `file` at dot path `path`. */
export function problem(code: string, file: string, path: string, expected: string, received: unknown, message: string): never {
  throw new Problem({ code, file, path, expected, received: describe(received), message });
}

/** Describes a received value briefly for an Issue (`string "x"`, `array`, `missing`). */
export function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === "object") return "object";
  return `${typeof value} ${String(value)}`;
}

/** Whether a parsed JSON value is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
