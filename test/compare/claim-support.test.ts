import { describe, expect, test } from "bun:test";
import { claimSupportTable, permissiveness } from "../../src/compare/index.ts";

describe("claimSupportTable", () => {
  test("starts with upstream's first row and has 15 rows", () => {
    const table = claimSupportTable();
    expect([table.rows.length, table.rows[0]]).toEqual([
      15,
      {
        verdict: "clean",
        kind: "positive_existence",
        support: { support: "decided", decision: "allowed" },
        scope: "shared",
        rule: "fidelity_verdict_gates_measured_positive_claims",
      },
    ]);
  });

  test("decides positive/negative like upstream, never models exhaustive sets, scopes correlation_partial to health input", () => {
    const cells = claimSupportTable().rows.map((r) => `${r.verdict}/${r.kind}=${"decision" in r.support ? r.support.decision : r.support.support}@${r.scope}`);
    expect(cells).toEqual([
      "clean/positive_existence=allowed@shared",
      "clean/exhaustive_set=not_modelled@shared",
      "clean/bounded_negative=allowed@shared",
      "clipped/positive_existence=degraded@shared",
      "clipped/exhaustive_set=not_modelled@shared",
      "clipped/bounded_negative=blocked@shared",
      "correlation_partial/positive_existence=degraded@health_input_only",
      "correlation_partial/exhaustive_set=not_modelled@health_input_only",
      "correlation_partial/bounded_negative=blocked@health_input_only",
      "not_applicable/positive_existence=blocked@shared",
      "not_applicable/exhaustive_set=not_modelled@shared",
      "not_applicable/bounded_negative=blocked@shared",
      "failed/positive_existence=blocked@shared",
      "failed/exhaustive_set=not_modelled@shared",
      "failed/bounded_negative=blocked@shared",
    ]);
  });

  test("orders decisions by permissiveness", () => {
    expect((["allowed", "degraded", "blocked"] as const).map(permissiveness)).toEqual([2, 1, 0]);
  });
});
