import {
  compareCodePoints,
  sortUnique,
  NETWORK_PROJECTION_SCHEMA,
  PROJECTION_NON_CLAIMS,
  RUNTIME_NOISE_TAXONOMY_SCHEMA,
  type NetworkMapping,
  type NetworkProjection,
} from "../schema/index.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { matchEndpoint } from "./network-rules.ts";

/** One endpoint's projection: the mapping fields, or unmatched (class `unknown`, raw value kept), as `drift.py` names them. */
export interface EndpointClassification {
  readonly raw_endpoint: string;
  readonly projected_endpoint: string;
  readonly network_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: "declared" | "unknown";
  readonly claim_level: "projected_equivalent" | "raw_observed";
}

/** Classifies one endpoint; a match projects to its class name, so many endpoints collapse into one value. */
export function classifyEndpoint(endpoint: string, compiled: CompiledRules): EndpointClassification {
  const match = matchEndpoint(endpoint, compiled.network);
  if (match === undefined) {
    return {
      raw_endpoint: endpoint,
      projected_endpoint: endpoint,
      network_class: "unknown",
      relation: "unmatched",
      rule: "no_declared_network_alias",
      confidence: "unknown",
      claim_level: "raw_observed",
    };
  }
  return declaredMapping(endpoint, match);
}

/**
 * Projects a set of endpoints into an `assay.runner.network_projection.v0` document; with no
 * network aliases declared it is `not_applied`, as upstream `drift.py` reports it.
 */
export function projectEndpoints(endpoints: Iterable<string>, compiled: CompiledRules): NetworkProjection {
  if (!compiled.network.isDeclared) {
    return {
      schema: NETWORK_PROJECTION_SCHEMA,
      status: "not_applied",
      reason: "no network aliases declared",
      taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
      non_claims: [...PROJECTION_NON_CLAIMS],
    };
  }
  const limit = compiled.sampleLimit;
  const mappings: NetworkMapping[] = [];
  const rules = new Set<string>();
  const samples: string[] = [];
  let unmatched = 0;
  for (const endpoint of sortUnique(endpoints)) {
    const match = matchEndpoint(endpoint, compiled.network);
    if (match === undefined) {
      if (unmatched < limit) samples.push(endpoint);
      unmatched++;
      continue;
    }
    rules.add(match.rule);
    mappings.push(declaredMapping(endpoint, match));
  }
  return {
    schema: NETWORK_PROJECTION_SCHEMA,
    status: "applied",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    claim_level: mappings.length > 0 ? "projected_equivalent" : "inconclusive",
    mappings,
    rules: [...rules].sort(compareCodePoints),
    unmatched_summary: { network_class: "unknown", count: unmatched, samples, sample_limit: limit },
    non_claims: [...PROJECTION_NON_CLAIMS],
  };
}

// --- internal ---

function declaredMapping(endpoint: string, match: NonNullable<ReturnType<typeof matchEndpoint>>): NetworkMapping & EndpointClassification {
  return {
    raw_endpoint: endpoint,
    projected_endpoint: match.network_class,
    network_class: match.network_class,
    relation: match.relation,
    rule: match.rule,
    confidence: "declared",
    claim_level: "projected_equivalent",
  };
}
