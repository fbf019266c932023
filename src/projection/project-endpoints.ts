import {
  compareCodePoints,
  sortUnique,
  NETWORK_PROJECTION_SCHEMA,
  PROJECTION_NON_CLAIMS,
  RUNTIME_NOISE_TAXONOMY_SCHEMA,
  type EndpointName,
  type EndpointNames,
  type NetworkMapping,
  type NetworkProjection,
} from "../schema/index.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { matchNamedEndpoint, type EndpointMatch } from "./network-rules.ts";

/** One endpoint's projection: the mapping fields, or unmatched (class `unknown`, raw value kept), as `drift.py` names them. */
export interface EndpointClassification {
  readonly raw_endpoint: string;
  readonly projected_endpoint: string;
  readonly network_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: "declared" | "unknown";
  readonly claim_level: "projected_equivalent" | "raw_observed";
  /** The endpoint's name (the one a hosts rule matched, else its first), when it has one. */
  readonly host?: string;
  readonly host_source?: EndpointName["source"];
}

/** Classifies one endpoint; a match projects to its class name, so many endpoints collapse into one value. `names` adds DNS and declared names. */
export function classifyEndpoint(endpoint: string, compiled: CompiledRules, names?: EndpointNames): EndpointClassification {
  const named = names?.get(endpoint);
  const found = matchNamedEndpoint(endpoint, compiled.network, named);
  if (found === undefined) {
    return withName(
      {
        raw_endpoint: endpoint,
        projected_endpoint: endpoint,
        network_class: "unknown",
        relation: "unmatched",
        rule: "no_declared_network_alias",
        confidence: "unknown",
        claim_level: "raw_observed",
      },
      named?.[0],
    );
  }
  return withName(declaredMapping(endpoint, found.match), found.name ?? named?.[0]);
}

/**
 * Projects a set of endpoints into an `assay.runner.network_projection.v0` document; with no
 * network aliases declared it is `not_applied`, as upstream `drift.py` reports it.
 */
export function projectEndpoints(endpoints: Iterable<string>, compiled: CompiledRules, names?: EndpointNames): NetworkProjection {
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
    const named = names?.get(endpoint);
    const found = matchNamedEndpoint(endpoint, compiled.network, named);
    if (found === undefined) {
      if (unmatched < limit) samples.push(endpoint);
      unmatched++;
      continue;
    }
    rules.add(found.match.rule);
    mappings.push(withName(declaredMapping(endpoint, found.match), found.name ?? named?.[0]));
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

// Names are added only where present, so outputs for inputs without names keep upstream's bytes.
function withName<T extends object>(value: T, name: EndpointName | undefined): T {
  return name === undefined ? value : { ...value, host: name.host, host_source: name.source };
}

function declaredMapping(endpoint: string, match: EndpointMatch): NetworkMapping & EndpointClassification {
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
