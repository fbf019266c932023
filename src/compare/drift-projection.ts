import { diffSets, sortStrings } from "./_order.ts";
import { NETWORK_PROJECTION_SCHEMA, PATH_PROJECTION_SCHEMA, PROJECTION_NOT_APPLIED_SCHEMA, RUNTIME_NOISE_TAXONOMY_SCHEMA } from "./_schemas.ts";
import type { NetworkAlias, NetworkCidrAlias, PathAlias } from "./drift-config.ts";
import { networkContains, parseIpAddress } from "./ip-address.ts";

// Drift's own projection (upstream `drift.py`, variant B of spec §1.8–1.10): exact path aliases with
// an `op:` split, exact endpoint aliases then first-declared CIDR, per-side unmatched summaries of 3.
// It is deliberately not the Rust Slice-1 helper (variant A): the committed v0.2 reports contain B.

/** The projection non-claims, in upstream's fixed (unsorted) order. */
export const PROJECTION_NON_CLAIMS = [
  "projection_no_raw_evidence_rewrite",
  "projection_no_semantic_workload_equivalence",
  "projection_no_policy_acceptability_verdict",
  "projection_unknowns_preserved",
  "projection_no_heuristic_noise_taxonomy",
] as const;

/** How many unmatched raw values each side's summary samples. */
export const PROJECTION_SAMPLE_LIMIT = 3;

/** One projected path or operation value (key order is the mapping's emitted order after `side`). */
export interface ProjectedPath {
  readonly raw_value: string;
  readonly projected_value: string;
  readonly path_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: string;
  readonly claim_level: "projected_equivalent" | "raw_observed";
}

/** One projected network endpoint. */
export interface ProjectedEndpoint {
  readonly raw_value: string;
  readonly projected_value: string;
  readonly network_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: string;
  readonly claim_level: "projected_equivalent" | "raw_observed";
}

/** Projects a plain path or an `op:/path` value through exact aliases (the op is kept, only the path is looked up). */
export function projectPathValue(value: string, aliases: ReadonlyMap<string, PathAlias>): ProjectedPath {
  const colon = value.indexOf(":");
  if (colon < 0) return projectSinglePath(value, aliases);
  const path = value.slice(colon + 1);
  // Only `op:/absolute` splits; URI-ish, host:port and `op:relative` values stay whole (upstream quirk:
  // any op token, even empty, and a plain path containing ":/" is split too).
  if (!path.startsWith("/") || path.startsWith("//")) return projectSinglePath(value, aliases);
  const projected = projectSinglePath(path, aliases);
  return { ...projected, raw_value: value, projected_value: `${value.slice(0, colon)}:${projected.projected_value}` };
}

/** Projects one endpoint: exact alias, else the first declared CIDR containing its IP host, else unmatched. */
export function projectNetworkEndpoint(
  endpoint: string,
  aliases: ReadonlyMap<string, NetworkAlias>,
  cidrs: readonly NetworkCidrAlias[],
): ProjectedEndpoint {
  const exact = aliases.get(endpoint);
  if (exact !== undefined) {
    return { raw_value: endpoint, projected_value: exact.networkClass, network_class: exact.networkClass, relation: "declared_endpoint", rule: "declared_network_alias", confidence: "declared", claim_level: "projected_equivalent" };
  }
  if (cidrs.length > 0) {
    const address = parseIpAddress(endpointHost(endpoint));
    if (address !== undefined) {
      // First declared network wins, not the longest prefix.
      const hit = cidrs.find((c) => networkContains(c.network, address));
      if (hit !== undefined) {
        return { raw_value: endpoint, projected_value: hit.networkClass, network_class: hit.networkClass, relation: "declared_cidr", rule: "declared_network_cidr_alias", confidence: "declared", claim_level: "projected_equivalent" };
      }
    }
  }
  return { raw_value: endpoint, projected_value: endpoint, network_class: "unknown", relation: "unmatched", rule: "no_declared_network_alias", confidence: "unknown", claim_level: "raw_observed" };
}

/** The host of an endpoint: inside `[...]` when bracketed, else everything before the last `:`. */
export function endpointHost(endpoint: string): string {
  if (endpoint.startsWith("[")) {
    const end = endpoint.indexOf("]");
    if (end > 1) return endpoint.slice(1, end);
  }
  const colon = endpoint.lastIndexOf(":");
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}

/** The path projection block of one drift row, or its `not_applied` form when no alias is declared. */
export function pathProjectionBlock(dimension: string, a: readonly string[], b: readonly string[], aliases: ReadonlyMap<string, PathAlias>): Record<string, unknown> {
  if (aliases.size === 0) return notAppliedBlock(PATH_PROJECTION_SCHEMA, "no path aliases declared");
  const projectedA = a.map((value) => projectPathValue(value, aliases));
  const projectedB = b.map((value) => projectPathValue(value, aliases));
  return appliedBlock(PATH_PROJECTION_SCHEMA, dimension, projectedA, projectedB, "no_declared_alias");
}

/** The network projection block of the endpoint row, or its `not_applied` form when nothing is declared. */
export function networkProjectionBlock(
  dimension: string,
  a: readonly string[],
  b: readonly string[],
  aliases: ReadonlyMap<string, NetworkAlias>,
  cidrs: readonly NetworkCidrAlias[],
): Record<string, unknown> {
  if (aliases.size === 0 && cidrs.length === 0) return notAppliedBlock(NETWORK_PROJECTION_SCHEMA, "no network aliases declared");
  const projectedA = a.map((value) => projectNetworkEndpoint(value, aliases, cidrs));
  const projectedB = b.map((value) => projectNetworkEndpoint(value, aliases, cidrs));
  return appliedBlock(NETWORK_PROJECTION_SCHEMA, dimension, projectedA, projectedB, "no_declared_network_alias");
}

/** The sentinel projection of rows that have no v0 projector. */
export function notAppliedBlock(schema: string = PROJECTION_NOT_APPLIED_SCHEMA, reason = "dimension has no v0 projector"): Record<string, unknown> {
  return { schema, status: "not_applied", reason, taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA, non_claims: [...PROJECTION_NON_CLAIMS] };
}

// --- internal ---

function projectSinglePath(path: string, aliases: ReadonlyMap<string, PathAlias>): ProjectedPath {
  const alias = aliases.get(path);
  if (alias === undefined) {
    return { raw_value: path, projected_value: path, path_class: "unknown", relation: "unmatched", rule: "no_declared_alias", confidence: "unknown", claim_level: "raw_observed" };
  }
  return { raw_value: path, projected_value: alias.projectedPath, path_class: alias.pathClass, relation: "declared_path", rule: "declared_path_alias", confidence: "declared", claim_level: "projected_equivalent" };
}

function appliedBlock(
  schema: string,
  dimension: string,
  projectedA: ReadonlyArray<ProjectedPath | ProjectedEndpoint>,
  projectedB: ReadonlyArray<ProjectedPath | ProjectedEndpoint>,
  unmatchedRule: string,
): Record<string, unknown> {
  const [onlyA, onlyB, both] = diffSets(projectedA.map((p) => p.projected_value), projectedB.map((p) => p.projected_value));
  const inBoth = new Set(both);
  const rules = new Set<string>();
  let matched = false;
  for (const item of [...projectedA, ...projectedB]) {
    if (item.rule !== unmatchedRule) rules.add(item.rule);
    if (item.claim_level === "projected_equivalent" && inBoth.has(item.projected_value)) matched = true;
  }
  return {
    schema,
    status: "applied",
    dimension,
    // Only a declared mapping that meets the other side's projection earns the equivalence claim.
    claim_level: matched ? "projected_equivalent" : "inconclusive",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    only_in_a: onlyA,
    only_in_b: onlyB,
    in_both: both,
    rules: sortStrings(rules),
    mappings: [...mappingsOf("a", projectedA), ...mappingsOf("b", projectedB)],
    unmatched_summary: { a: unmatchedSummary("a", projectedA), b: unmatchedSummary("b", projectedB) },
    non_claims: [...PROJECTION_NON_CLAIMS],
  };
}

function mappingsOf(side: "a" | "b", items: ReadonlyArray<ProjectedPath | ProjectedEndpoint>): Record<string, unknown>[] {
  return items.filter((item) => item.claim_level === "projected_equivalent").map((item) => ({ side, ...item }));
}

function unmatchedSummary(side: "a" | "b", items: ReadonlyArray<ProjectedPath | ProjectedEndpoint>): Record<string, unknown> {
  // Counts list items, not distinct values: capability lists are sorted but not deduplicated upstream.
  const raw = items.filter((item) => item.claim_level === "raw_observed").map((item) => item.raw_value);
  return { side, count: raw.length, samples: sortStrings(raw).slice(0, PROJECTION_SAMPLE_LIMIT), sample_limit: PROJECTION_SAMPLE_LIMIT };
}
