import * as v from "valibot";

/** Whether a run id is non-empty and only ASCII letters, digits, `_` and `-` (upstream `is_safe_run_id`, spec §1.6). */
export function isSafeRunId(runId: string): boolean {
  return SAFE_RUN_ID.test(runId);
}

/**
 * A run id as every upstream producer writes it; it becomes part of file names and of
 * `policy_decisions` values (`<decision>:<tool>`), hence no `:` or `/`.
 */
export const RunIdSchema = v.pipe(v.string(), v.check(isSafeRunId, "a run id must be non-empty and use only ASCII letters, digits, '_' and '-'"));

// --- internal ---

const SAFE_RUN_ID = /^[A-Za-z0-9_-]+$/;
