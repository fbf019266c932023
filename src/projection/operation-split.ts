/** The 13 operation tokens upstream's helper splits off (`split_operation_path`, spec §1.4 step 2b). */
export const OPERATIONS = [
  "read",
  "write",
  "read_write",
  "create",
  "truncate",
  "append",
  "open",
  "open_read",
  "open_write",
  "open_read_write",
  "open_create",
  "open_truncate",
  "open_append",
] as const;

/** One of the 13 operation tokens. */
export type Operation = (typeof OPERATIONS)[number];

/**
 * Returns where the path part of `raw` starts: after `op:` when `raw` starts with one of the 13
 * operations followed by `:/`, else 0 (the whole value is the path).
 */
export function operationOffset(raw: string): number {
  // An absolute path cannot start with an operation token: skip the scan for the common case.
  if (raw.charCodeAt(0) === SLASH) return 0;
  const colon = raw.indexOf(":");
  // Split at the first `:` only (upstream `split_once`), case-sensitive, suffix must start with `/`.
  if (colon < MIN_OP || colon > MAX_OP || raw.charCodeAt(colon + 1) !== SLASH) return 0;
  // Compare in place against the operations of that length: no substring, no hashing.
  const candidates = BY_LENGTH[colon]!;
  for (let i = 0; i < candidates.length; i++) if (raw.startsWith(candidates[i]!)) return colon + 1;
  return 0;
}

// --- internal ---

const SLASH = 47;
const MIN_OP = Math.min(...OPERATIONS.map((op) => op.length));
const MAX_OP = Math.max(...OPERATIONS.map((op) => op.length));
// Built with a loop: the first call of Array.from compiles the engine's own code for it (~0.25 ms of start-up).
const BY_LENGTH: readonly (readonly string[])[] = byLength();

function byLength(): string[][] {
  const lists: string[][] = [];
  for (let n = 0; n <= MAX_OP; n++) lists.push(OPERATIONS.filter((op) => op.length === n));
  return lists;
}
