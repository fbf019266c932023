import type { Redaction } from "../schema/index.ts";
import type { RedactionMode, RedactionTally } from "./redactor.ts";
import type { KeyScope } from "./key.ts";

/** The `observation_health.redaction` block (the schema's `Redaction`). */
export type RedactionHealth = Redaction;

/** Builds the `observation_health.redaction` block (fields in upstream order, spec §3.4) for an active run from its tally and key (keys of the maps sorted by UTF-8 bytes). */
export function buildRedactionHealth(
  mode: Exclude<RedactionMode, "disabled_unsafe">,
  tally: RedactionTally,
  key: { readonly scope: KeyScope; readonly keyId: string },
): Redaction {
  return {
    mode,
    redacted_count: tally.total,
    // Insertion order is the sorted order; rule and field names are never integer-like.
    by_rule: Object.fromEntries(tally.byRule()),
    by_field: Object.fromEntries(tally.byField()),
    key_scope: key.scope,
    key_id: key.keyId,
  };
}

/** The block written with `--unsafe-disable-redaction`, exactly as upstream writes it (spec §3.4). */
export function disabledRedactionHealth(): Redaction {
  return {
    mode: "disabled_unsafe",
    redacted_count: 0,
    by_rule: {},
    by_field: {},
    key_scope: "ephemeral",
    key_id: "none",
  };
}
