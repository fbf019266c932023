import type { Issue } from "./issue.ts";
import { makeIssue, type Where } from "./_to-issues.ts";

// The modes live here, not beside the policy schema: every archive check reads this note, and
// importing egress-policy.ts would build the policy's schemas for it.

/** The enforcement modes `run --egress-mode` takes. */
export const EGRESS_MODES = ["audit", "block"] as const;

/** An enforcement mode. */
export type EgressMode = (typeof EGRESS_MODES)[number];

/** Note code recording a session's egress policy (ours, appended after upstream's notes). */
export const EGRESS_NOTE_CODE = "egress_policy";

/** Renders `egress_policy: mode=audit|block digest=sha256:<hex>`: the archive records which policy applied and how. */
export function formatEgressNote(mode: EgressMode, digest: string): string {
  return `${EGRESS_NOTE_CODE}: mode=${mode} digest=${digest}`;
}

/** Reads the note back; undefined when the text does not have its shape. */
export function parseEgressNote(text: string): { readonly mode: EgressMode; readonly digest: string } | undefined {
  const m = /^egress_policy: mode=(audit|block) digest=(sha256:[0-9a-f]{64})$/.exec(text);
  return m === null ? undefined : { mode: m[1] as EgressMode, digest: m[2] as string };
}

/** Checks the egress note of an archive's health: at most one, in its documented shape. */
export function checkEgressNote(notes: readonly string[], where: Where): Issue[] {
  const at = { ...where, member: "observation-health.json" };
  const found = notes.filter((note) => note.startsWith(`${EGRESS_NOTE_CODE}:`));
  if (found.length > 1)
    return [
      makeIssue(
        at,
        "EGRESS_NOTE_REPEATED",
        "notes",
        "one egress_policy: note",
        `${found.length}`,
        "observation health has more than one egress_policy: note; a session has one policy",
      ),
    ];
  const text = found[0];
  if (text === undefined || parseEgressNote(text) !== undefined) return [];
  return [
    makeIssue(
      at,
      "EGRESS_NOTE_MALFORMED",
      "notes",
      `egress_policy: mode=${EGRESS_MODES.join("|")} digest=sha256:<64 hex>`,
      JSON.stringify(text),
      "the egress_policy: note does not have its documented shape",
    ),
  ];
}
