import { DriftConfigError } from "./errors.ts";
import { compileNetworkRules, formatIpNetwork, parseIpNetwork, type CompiledNetworkRules, type IpNetwork } from "../projection/index.ts";
import { NETWORK_CLASSES, type NetworkClass, type NetworkRules } from "../schema/index.ts";
import { taxonomyClassProblem } from "./taxonomy.ts";

/** A declared exact path alias (drift projection B, spec §1.8). */
export interface PathAlias {
  readonly rawPath: string;
  readonly projectedPath: string;
  readonly pathClass: string;
}

/** A declared exact network endpoint alias. */
export interface NetworkAlias {
  readonly rawEndpoint: string;
  readonly networkClass: NetworkClass;
}

/** A declared CIDR alias, parsed. */
export interface NetworkCidrAlias {
  readonly cidr: string;
  readonly network: IpNetwork;
  readonly networkClass: NetworkClass;
}

/**
 * Everything drift's projection needs, validated: alias lookups and CIDRs in declaration order.
 * Built from drift's alias flags; a projection rules file (the schema's `ProjectionRules`) is another thing.
 */
export interface DriftProjectionRules {
  readonly pathAliases: ReadonlyMap<string, PathAlias>;
  readonly networkAliases: ReadonlyMap<string, NetworkAlias>;
  readonly networkCidrs: readonly NetworkCidrAlias[];
  /** The network aliases and CIDRs compiled for the projection engine's `matchEndpoint`. */
  readonly network: CompiledNetworkRules;
}

/** Upstream's default provider hosts; `--provider-host` values are appended. */
export const DEFAULT_PROVIDER_HOSTS = [
  "api.openai.com",
  "auth.openai.com",
  "oauth.openai.com",
  "generativelanguage.googleapis.com",
  "oauth2.googleapis.com",
  "accounts.google.com",
] as const;

/** Parses and validates `--path-alias RAW=PROJECTED`, `--network-alias EP=CLASS` and `--network-cidr CIDR=CLASS` values. */
export function parseDriftProjectionRules(input: {
  readonly pathAliases: readonly string[];
  readonly networkAliases: readonly string[];
  readonly networkCidrs: readonly string[];
  /** `--network-host SUFFIX=CLASS` (ours, issue 15): host-suffix rules matched against endpoint names. */
  readonly networkHosts?: readonly string[];
}): DriftProjectionRules {
  const pathAliases = new Map<string, PathAlias>();
  for (const text of input.pathAliases) {
    const [rawPath, projectedPath] = splitPair(text, "--path-alias", "RAW=PROJECTED");
    // deviation: none; the CLI can only set the default class, which is always valid for paths.
    const pathClass = "workload_fixture";
    const problem = taxonomyClassProblem(pathClass, "path");
    if (problem) throw new DriftConfigError("--path-alias", problem);
    if (pathAliases.has(rawPath)) throw new DriftConfigError("--path-alias", `duplicate path alias for "${rawPath}"`);
    pathAliases.set(rawPath, { rawPath, projectedPath, pathClass });
  }
  const networkAliases = new Map<string, NetworkAlias>();
  for (const text of input.networkAliases) {
    const [rawEndpoint, className] = splitPair(text, "--network-alias", "RAW_ENDPOINT=CLASS");
    const networkClass = networkClassOf(className, "--network-alias");
    if (networkAliases.has(rawEndpoint)) throw new DriftConfigError("--network-alias", `duplicate network alias for "${rawEndpoint}"`);
    networkAliases.set(rawEndpoint, { rawEndpoint, networkClass });
  }
  const networkCidrs: NetworkCidrAlias[] = [];
  const seen = new Set<string>();
  for (const text of input.networkCidrs) {
    const [cidr, className] = splitPair(text, "--network-cidr", "CIDR=CLASS");
    const networkClass = networkClassOf(className, "--network-cidr");
    const network = parseIpNetwork(cidr);
    if (network === undefined) throw new DriftConfigError("--network-cidr", `invalid network CIDR "${cidr}"`);
    const key = formatIpNetwork(network);
    if (seen.has(key)) throw new DriftConfigError("--network-cidr", `duplicate network CIDR alias for "${key}"`);
    seen.add(key);
    networkCidrs.push({ cidr, network, networkClass });
  }
  const networkHosts = new Map<string, NetworkClass>();
  for (const text of input.networkHosts ?? []) {
    const [suffix, className] = splitPair(text, "--network-host", "HOST_SUFFIX=CLASS");
    const networkClass = networkClassOf(className, "--network-host");
    if (networkHosts.has(suffix.toLowerCase())) throw new DriftConfigError("--network-host", `duplicate host suffix "${suffix}"`);
    networkHosts.set(suffix.toLowerCase(), networkClass);
  }
  return { pathAliases, networkAliases, networkCidrs, network: compileNetwork(networkAliases, networkCidrs, networkHosts) };
}

// --- internal ---

function compileNetwork(
  aliases: ReadonlyMap<string, NetworkAlias>,
  cidrs: readonly NetworkCidrAlias[],
  hosts: ReadonlyMap<string, NetworkClass>,
): CompiledNetworkRules {
  // Drift's matching is the projection engine's: exact endpoint, then the first declared CIDR
  // containing it, then the longest `--network-host` suffix.
  const rules: NetworkRules = {
    endpoints: Object.fromEntries([...aliases.values()].map((a) => [a.rawEndpoint, a.networkClass])),
    cidrs: cidrs.map((c) => ({ cidr: c.cidr, class: c.networkClass })),
    hosts: Object.fromEntries(hosts),
  };
  const compiled = compileNetworkRules(rules, { file: "--network-cidr" });
  // Unreachable: every CIDR parsed and none repeats after normalisation (checked above).
  if (!compiled.ok) throw new DriftConfigError("--network-cidr", compiled.issues[0].message);
  return compiled.value;
}

// A network class of the taxonomy; the taxonomy's classes for the network domain are the rules
// file's network classes, so a class the taxonomy accepts is always found.
function networkClassOf(name: string, flag: string): NetworkClass {
  const problem = taxonomyClassProblem(name, "network");
  if (problem) throw new DriftConfigError(flag, problem);
  const found = NETWORK_CLASSES.find((known) => known === name);
  if (found === undefined) throw new DriftConfigError(flag, `taxonomy class "${name}" is not a network class of the rules file`);
  return found;
}

function splitPair(text: string, flag: string, shape: string): [string, string] {
  const at = text.indexOf("=");
  if (at < 0) throw new DriftConfigError(flag, `expected ${shape}, got "${text}"`);
  const left = text.slice(0, at).trim();
  const right = text.slice(at + 1).trim();
  if (left.length === 0 || right.length === 0) throw new DriftConfigError(flag, `expected non-empty ${shape.replace("=", " and ")}, got "${text}"`);
  return [left, right];
}
