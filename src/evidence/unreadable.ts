import type { Issue } from "../schema/index.ts";

// Issues after which the reader could not get the members out whole: not gzip, a gzip or tar
// stream that ends early or cannot be decoded, a bound refused. A CRC mismatch or trailing bytes
// come after every member was read, so they make an archive invalid, not unreadable.
const UNREADABLE_CODES = new Set([
  "GZIP_INVALID",
  "GZIP_TRUNCATED",
  "GZIP_UNDECODABLE",
  "TAR_TRUNCATED",
  "TAR_MALFORMED",
  "TAR_BAD_CHECKSUM",
  "ARCHIVE_TOO_LARGE",
]);

/** The issues that mean an archive could not be read whole (unreadable: exit 2), as opposed to read and found invalid. */
export function unreadableIssues(issues: readonly Issue[]): Issue[] {
  return issues.filter((issue) => UNREADABLE_CODES.has(issue.code));
}
