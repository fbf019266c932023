import { diffSets, isKnownSurrogateFree, markSurrogateFree, mergeSorted, smallest, sortStrings, sortUnique } from "./_order.ts";
import { NETWORK_PROJECTION_SCHEMA, PATH_PROJECTION_SCHEMA, PROJECTION_NOT_APPLIED_SCHEMA, RUNTIME_NOISE_TAXONOMY_SCHEMA } from "./_schemas.ts";
import type { PathAlias } from "./drift-config.ts";
import { endpointHost, matchEndpoint as matchNetworkRule, matchNamedEndpoint, type CompiledNetworkRules, type EndpointMatch } from "../projection/index.ts";
import { PROJECTION_NON_CLAIMS, type EndpointName, type EndpointNames } from "../schema/index.ts";

// Drift's own projection (upstream `drift.py`, variant B of spec §1.8–1.10): exact path aliases with
// an `op:` split, exact endpoint aliases then first-declared CIDR, per-side unmatched summaries of 3.
// It is deliberately not the Rust Slice-1 helper (variant A): the committed v0.2 reports contain B.
// The endpoint host rule is the projection engine's own (`endpointHost`, identical to drift.py's).

export { endpointHost };
// The non-claims are the projection documents' own (schema module), in upstream's fixed order.
export { PROJECTION_NON_CLAIMS };

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
  readonly host?: string;
  readonly host_source?: EndpointName["source"];
}

/** Projects a plain path or an `op:/path` value through exact aliases (the op is kept, only the path is looked up). */
export function projectPathValue(value: string, aliases: ReadonlyMap<string, PathAlias>): ProjectedPath {
  return matchPath(value, aliases) ?? unmatched(value, "path");
}

/** Projects one endpoint: exact alias, else the first declared CIDR containing its IP host, else unmatched. */
export function projectNetworkEndpoint(endpoint: string, network: CompiledNetworkRules): ProjectedEndpoint {
  return matchEndpoint(endpoint, network) ?? unmatched(endpoint, "network");
}

/** The path projection block of one drift row, or its `not_applied` form when no alias is declared. */
export function pathProjectionBlock(
  dimension: string,
  a: readonly string[],
  b: readonly string[],
  aliases: ReadonlyMap<string, PathAlias>,
): Record<string, unknown> {
  if (aliases.size === 0) return notAppliedBlock(PATH_PROJECTION_SCHEMA, "no path aliases declared");
  const project = (values: readonly string[]): Projection => collect(values, (value) => matchPath(value, aliases));
  return appliedBlock(PATH_PROJECTION_SCHEMA, dimension, project(a), project(b));
}

/** The network projection block of the endpoint row, or its `not_applied` form when nothing is declared. */
export function networkProjectionBlock(
  dimension: string,
  a: readonly string[],
  b: readonly string[],
  network: CompiledNetworkRules,
  namesA: EndpointNames = NO_NAMES,
  namesB: EndpointNames = NO_NAMES,
): Record<string, unknown> {
  if (!network.isDeclared) return notAppliedBlock(NETWORK_PROJECTION_SCHEMA, "no network aliases declared");
  const project = (values: readonly string[], names: EndpointNames): Projection => collect(values, (value) => matchEndpoint(value, network, names.get(value)));
  return appliedBlock(NETWORK_PROJECTION_SCHEMA, dimension, project(a, namesA), project(b, namesB));
}

/** The sentinel projection of rows that have no v0 projector. */
export function notAppliedBlock(schema: string = PROJECTION_NOT_APPLIED_SCHEMA, reason = "dimension has no v0 projector"): Record<string, unknown> {
  return { schema, status: "not_applied", reason, taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA, non_claims: [...PROJECTION_NON_CLAIMS] };
}

// --- internal ---

const SLASH = 0x2f;

function matchPath(value: string, aliases: ReadonlyMap<string, PathAlias>): ProjectedPath | undefined {
  const colon = value.indexOf(":");
  if (colon < 0) return declaredPath(value, undefined, aliases.get(value));
  // Only `op:/absolute` splits; URI-ish, host:port and `op:relative` values stay whole (upstream quirk:
  // any op token, even empty, and a plain path containing ":/" is split too).
  if (value.charCodeAt(colon + 1) !== SLASH || value.charCodeAt(colon + 2) === SLASH) return declaredPath(value, undefined, aliases.get(value));
  const alias = aliases.get(value.slice(colon + 1));
  return alias === undefined ? undefined : declaredPath(value, value.slice(0, colon), alias);
}

// `op` is the operation prefix kept in front of the projected path, undefined for a whole-value match.
function declaredPath(raw: string, op: string | undefined, alias: PathAlias | undefined): ProjectedPath | undefined {
  if (alias === undefined) return undefined;
  const projectedValue = op === undefined ? alias.projectedPath : `${op}:${alias.projectedPath}`;
  return {
    raw_value: raw,
    projected_value: projectedValue,
    path_class: alias.pathClass,
    relation: "declared_path",
    rule: "declared_path_alias",
    confidence: "declared",
    claim_level: "projected_equivalent",
  };
}

// The projection engine matches (exact endpoint, then the first declared CIDR, not the longest);
// drift adds the raw and projected values around its class, relation and rule.
// With names (issue 15), a hosts rule may match through a name; the name is shown only where one
// exists, so archives without DNS rows keep upstream's bytes.
function matchEndpoint(endpoint: string, network: CompiledNetworkRules, names?: readonly EndpointName[]): ProjectedEndpoint | undefined {
  const found = names === undefined ? wrap(matchNetworkRule(endpoint, network)) : matchNamedEndpoint(endpoint, network, names);
  if (found === undefined) return undefined;
  const hit = found.match;
  const projected: ProjectedEndpoint = {
    raw_value: endpoint,
    projected_value: hit.network_class,
    network_class: hit.network_class,
    relation: hit.relation,
    rule: hit.rule,
    confidence: "declared",
    claim_level: "projected_equivalent",
  };
  const name = found.name ?? names?.[0];
  return name === undefined ? projected : { ...projected, host: name.host, host_source: name.source };
}

const NO_NAMES: EndpointNames = new Map();

function wrap(match: EndpointMatch | undefined): { match: EndpointMatch; name?: EndpointName } | undefined {
  return match === undefined ? undefined : { match };
}

function unmatched(value: string, kind: "path"): ProjectedPath;
function unmatched(value: string, kind: "network"): ProjectedEndpoint;
function unmatched(value: string, kind: "path" | "network"): ProjectedPath | ProjectedEndpoint {
  return kind === "path"
    ? {
        raw_value: value,
        projected_value: value,
        path_class: "unknown",
        relation: "unmatched",
        rule: "no_declared_alias",
        confidence: "unknown",
        claim_level: "raw_observed",
      }
    : {
        raw_value: value,
        projected_value: value,
        network_class: "unknown",
        relation: "unmatched",
        rule: "no_declared_network_alias",
        confidence: "unknown",
        claim_level: "raw_observed",
      };
}

// One side's projection: the declared mappings in input order and the raw values no rule matched
// (for which the projected value is the raw value itself).
interface Projection {
  readonly mapped: Array<ProjectedPath | ProjectedEndpoint>;
  readonly unmatched: string[];
}

function collect(values: readonly string[], project: (value: string) => ProjectedPath | ProjectedEndpoint | undefined): Projection {
  const out: Projection = { mapped: [], unmatched: [] };
  for (const value of values) {
    const item = project(value);
    if (item === undefined) out.unmatched.push(value);
    else out.mapped.push(item);
  }
  if (isKnownSurrogateFree(values)) markSurrogateFree(out.unmatched);
  return out;
}

function appliedBlock(schema: string, dimension: string, a: Projection, b: Projection): Record<string, unknown> {
  const [onlyA, onlyB, both] = diffSets(sortedValues(a), sortedValues(b));
  const inBoth = new Set(both);
  const mapped = [...a.mapped, ...b.mapped];
  return {
    schema,
    status: "applied",
    dimension,
    // Only a declared mapping that meets the other side's projection earns the equivalence claim.
    claim_level: mapped.some((item) => inBoth.has(item.projected_value)) ? "projected_equivalent" : "inconclusive",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    only_in_a: onlyA,
    only_in_b: onlyB,
    in_both: both,
    rules: sortUnique(mapped.map((item) => item.rule)),
    mappings: [...a.mapped.map((item) => ({ side: "a", ...item })), ...b.mapped.map((item) => ({ side: "b", ...item }))],
    // Counts list items, not distinct values: capability lists are sorted but not deduplicated upstream.
    unmatched_summary: { a: unmatchedSummary("a", a.unmatched), b: unmatchedSummary("b", b.unmatched) },
    non_claims: [...PROJECTION_NON_CLAIMS],
  };
}

// The unmatched values keep the (usually sorted) input order and the mapped ones are few: merging
// them is linear where sorting every projected value again is not.
function sortedValues(side: Projection): string[] {
  return mergeSorted(sortStrings(side.unmatched), sortStrings(side.mapped.map((item) => item.projected_value)));
}

function unmatchedSummary(side: "a" | "b", raw: readonly string[]): Record<string, unknown> {
  return { side, count: raw.length, samples: smallest(raw, PROJECTION_SAMPLE_LIMIT), sample_limit: PROJECTION_SAMPLE_LIMIT };
}
