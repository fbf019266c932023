import { RUNTIME_NOISE_TAXONOMY_SCHEMA } from "./_schemas.ts";

/** One runtime-noise taxonomy category: the domains it applies to and what it means. */
export interface TaxonomyCategory {
  readonly applies_to: readonly string[];
  readonly meaning: string;
}

/** The runtime-noise taxonomy v0 categories, in upstream order (spec §1.10). */
export const TAXONOMY_CATEGORIES: Readonly<Record<string, TaxonomyCategory>> = {
  workload_fixture: { applies_to: ["path", "operation"], meaning: "declared workload input, output, or scratch value" },
  runtime_package: { applies_to: ["path"], meaning: "language runtime or package tree behavior" },
  provider_sdk: { applies_to: ["path", "network", "sdk_event"], meaning: "provider client implementation behavior" },
  loader: { applies_to: ["path", "process"], meaning: "dynamic loader, interpreter, locale, or bootstrap behavior" },
  experiment_harness: { applies_to: ["path", "process", "metadata"], meaning: "runner, workflow, comparator, or test harness plumbing" },
  cache: { applies_to: ["path"], meaning: "package manager, runtime, or tool cache path" },
  provider_api: { applies_to: ["network"], meaning: "model/provider API endpoint" },
  dns: { applies_to: ["network"], meaning: "DNS lookup endpoint when visible" },
  telemetry: { applies_to: ["network"], meaning: "observability or SDK telemetry endpoint" },
  package_fetch: { applies_to: ["network"], meaning: "dependency or package retrieval endpoint" },
  unknown: { applies_to: ["all"], meaning: "observed value did not match a declared taxonomy rule" },
};

/** The taxonomy block of a drift report (vocabulary only; no heuristic classification). */
export function taxonomyBlock(): Record<string, unknown> {
  const categories: Record<string, unknown> = {};
  for (const [name, category] of Object.entries(TAXONOMY_CATEGORIES)) {
    categories[name] = { applies_to: [...category.applies_to], meaning: category.meaning };
  }
  return {
    schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    status: "vocabulary_only",
    categories,
    non_claims: ["taxonomy_no_heuristic_classification", "taxonomy_unknowns_preserved", "taxonomy_no_policy_verdict"],
  };
}

/** Returns why `category` cannot be used for `domain`, or undefined when it can. */
export function taxonomyClassProblem(category: string, domain: string): string | undefined {
  const spec = TAXONOMY_CATEGORIES[category];
  if (spec === undefined) {
    const allowed = Object.keys(TAXONOMY_CATEGORIES).sort().join(", ");
    return `unknown taxonomy class "${category}"; expected one of: ${allowed}`;
  }
  if (!spec.applies_to.includes("all") && !spec.applies_to.includes(domain)) return `taxonomy class "${category}" does not apply to "${domain}"`;
  return undefined;
}
