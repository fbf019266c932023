import type { Issue } from "../schema/index.ts";
import { rustLines, rustTrim } from "./ingest-lines.ts";

/** Which log a problem was found in; it prefixes every message. */
export type LogKind = "policy" | "sdk";

/** Makes issues for one log file, each message saying `<kind> log FILE:LINE: …`. */
export function logIssueMaker(kind: LogKind, file: string) {
  return (code: string, line: number | undefined, path: string, expected: string, received: string, what: string): Issue => ({
    code,
    file,
    ...(line === undefined ? {} : { line }),
    path,
    expected,
    received,
    message: `${kind} log ${line === undefined ? file : `${file}:${line}`}: ${what}`,
  });
}

/** Yields the trimmed non-blank lines of a log with their 1-based numbers (blank lines count, as upstream). */
export function* nonBlankLines(text: string): Generator<{ readonly line: number; readonly text: string }> {
  const lines = rustLines(text);
  for (let index = 0; index < lines.length; index++) {
    const trimmed = rustTrim(lines[index] as string);
    if (trimmed !== "") yield { line: index + 1, text: trimmed };
  }
}

/** Describes what stood where a non-empty string was required (a number or boolean by its value). */
export function describeReceived(raw: unknown): string {
  if (raw === undefined) return "nothing";
  if (typeof raw === "string") return "an empty string";
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return raw === null ? "null" : Array.isArray(raw) ? "an array" : `a ${typeof raw}`;
}
