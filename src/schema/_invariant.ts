import type * as v from "valibot";

// Private to schema: the one way document invariants report a problem, so that every invariant
// issue carries a field path, expected/received texts and a message `toIssues` can show as is.

/** What one violated invariant says: the field (dot path below the document), expected, received, message. */
export interface InvariantViolation {
  readonly path: readonly (string | number)[];
  readonly expected: string;
  readonly received: string;
  readonly message: string;
}

/** Builds a raw-check action that reports every violation the checker returns for a typed input. */
export function invariants<T>(check: (input: T) => readonly InvariantViolation[]) {
  return (context: v.RawCheckContext<T>): void => {
    // Invariants relate fields to each other; on fields already known to be wrong they would only
    // add noise (e.g. a rounded `flags` "contradicting" access_mode), so they wait for clean fields.
    if (!context.dataset.typed || (context.dataset.issues?.length ?? 0) > 0) return;
    for (const violation of check(context.dataset.value)) {
      const path = pathItems(context.dataset.value, violation.path);
      context.addIssue({
        expected: violation.expected,
        received: violation.received,
        message: violation.message,
        ...(path === undefined ? {} : { path }),
      });
    }
  };
}

/** Renders a value for `received` the way valibot does: strings quoted, the rest as JSON-ish text. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? String(value);
}

// --- internal ---

function pathItems(root: unknown, keys: readonly (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] | undefined {
  const items: v.IssuePathItem[] = [];
  let input: unknown = root;
  for (const key of keys) {
    const value = input !== null && typeof input === "object" ? (input as Record<string | number, unknown>)[key] : undefined;
    items.push({ type: "unknown", origin: "value", input, key, value });
    input = value;
  }
  return items.length === 0 ? undefined : (items as [v.IssuePathItem, ...v.IssuePathItem[]]);
}
