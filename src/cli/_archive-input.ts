import { isMemberName, unreadableIssues } from "../evidence/index.ts";
import type { Issue } from "../schema/index.ts";
import { logger, printJson } from "./_output.ts";

// The one answer of verify and inspect to an archive they cannot read whole: the same message, the
// same --json document, the same exit code (2, unusable input).

/**
 * The message for an archive read only in part (not gzip, truncated, undecodable), or holding none
 * of an evidence archive's members (an unrelated directory); undefined when it was read whole.
 */
export function unreadableMessage(issues: readonly Issue[], membersRead: readonly string[]): string | undefined {
  const unreadable = unreadableIssues(issues);
  if (unreadable.length > 0) return unreadable.map((issue) => issue.message).join("; ");
  if (!membersRead.some(isMemberName)) return "not an evidence archive: none of its members (manifest.json, events.ndjson, …) is there";
  return undefined;
}

/** Reports an unreadable archive on stderr (and as one JSON document with --json); returns exit code 2. */
export function reportUnreadable(path: string, message: string, json: boolean, extra: Record<string, unknown> = {}): number {
  if (json) printJson({ path, ...extra, readable: false, error: message });
  logger.error(`${path}: ${message}`);
  return 2;
}
