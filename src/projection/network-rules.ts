import { fail, ok, type EndpointName, type Issue, type NetworkRules, type Result, type Where } from "../schema/index.ts";
import { networkKey, parseIpAddress, parseIpNetwork, v4Mask, type IpAddress } from "./ip-address.ts";

/** How an endpoint matched: its class, relation and rule (shared, frozen objects; nothing allocated per endpoint). */
export interface EndpointMatch {
  readonly network_class: string;
  readonly relation: "declared_endpoint" | "declared_cidr" | "declared_host_suffix";
  readonly rule: "declared_network_alias" | "declared_network_cidr_alias" | "declared_network_host_alias";
}

/** Network aliases compiled for lookup. */
export interface CompiledNetworkRules {
  /** Whether any alias, CIDR or host suffix is declared (else the projection is `not_applied`). */
  readonly isDeclared: boolean;
  /** @internal exact endpoint → match. */
  readonly endpoints: ReadonlyMap<string, EndpointMatch>;
  /** @internal CIDRs grouped by version and prefix length: cleared address key → declaration index. */
  readonly cidrs: readonly CidrGroup[];
  /** @internal declaration index → match. */
  readonly cidrMatches: readonly EndpointMatch[];
  /** @internal lower-cased host suffix → match. */
  readonly hosts: ReadonlyMap<string, EndpointMatch>;
}

/** @internal All declared CIDRs of one version and prefix length: masked address → declaration index. */
export interface CidrGroup {
  readonly version: 4 | 6;
  readonly prefixLength: number;
  readonly masks: readonly [number, number, number, number];
  /** IPv4: masked address → index; IPv6: hash of the masked words → candidates (checked word by word). */
  readonly v4: Map<number, number>;
  readonly v6: Map<number, { readonly words: readonly number[]; readonly index: number }[]>;
}

/** Compiles network aliases; a CIDR that does not parse, or repeats another after normalisation, is an issue. */
export function compileNetworkRules(network: NetworkRules, where: Where): Result<CompiledNetworkRules> {
  const issues: Issue[] = [];
  const endpoints = new Map<string, EndpointMatch>();
  for (const [endpoint, cls] of Object.entries(network.endpoints)) {
    endpoints.set(endpoint, match(cls, "declared_endpoint", "declared_network_alias"));
  }
  const groups = new Map<string, CidrGroup>();
  const seen = new Map<string, number>();
  const cidrMatches: EndpointMatch[] = [];
  network.cidrs.forEach(({ cidr, class: cls }, index) => {
    cidrMatches.push(match(cls, "declared_cidr", "declared_network_cidr_alias"));
    const parsed = parseIpNetwork(cidr);
    const path = `network.cidrs.${index}.cidr`;
    if (parsed === undefined) {
      issues.push(
        issue(
          where,
          "CIDR_INVALID",
          path,
          "an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32",
          cidr,
          `projection_rules.v0: field ${path}: "${cidr}" is not an IP network`,
        ),
      );
      return;
    }
    const key = networkKey(parsed);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      issues.push(
        issue(
          where,
          "CIDR_DUPLICATE",
          path,
          "a network not declared before",
          cidr,
          `projection_rules.v0: field ${path}: "${cidr}" is the same network as network.cidrs.${earlier}.cidr after normalisation`,
        ),
      );
      return;
    }
    seen.set(key, index);
    addToGroup(groups, parsed, index);
  });
  const hosts = new Map<string, EndpointMatch>();
  for (const [suffix, cls] of Object.entries(network.hosts)) {
    const key = suffix.toLowerCase();
    if (hosts.has(key)) {
      const path = `network.hosts[${JSON.stringify(suffix)}]`;
      issues.push(
        issue(
          where,
          "HOST_SUFFIX_DUPLICATE",
          path,
          "a host suffix not declared before (case-insensitive)",
          suffix,
          `projection_rules.v0: field ${path}: host suffix "${suffix}" is declared twice (host names are case-insensitive)`,
        ),
      );
      continue;
    }
    hosts.set(key, match(cls, "declared_host_suffix", "declared_network_host_alias"));
  }
  if (issues.length > 0) return fail(issues[0]!, ...issues.slice(1));
  return ok({
    isDeclared: endpoints.size > 0 || network.cidrs.length > 0 || hosts.size > 0,
    endpoints,
    cidrs: [...groups.values()],
    cidrMatches,
    hosts,
  });
}

// Files the network under its (version, prefix length) group, made on first use with its masks.
function addToGroup(groups: Map<string, CidrGroup>, parsed: NonNullable<ReturnType<typeof parseIpNetwork>>, index: number): void {
  const groupKey = `${parsed.address.version}/${parsed.prefixLength}`;
  let group = groups.get(groupKey);
  if (!group) {
    const p = parsed.prefixLength;
    const masks: [number, number, number, number] =
      parsed.address.version === 4 ? [v4Mask(p), 0, 0, 0] : [v4Mask(p), v4Mask(p - 32), v4Mask(p - 64), v4Mask(p - 96)];
    group = { version: parsed.address.version, prefixLength: p, masks, v4: new Map(), v6: new Map() };
    groups.set(groupKey, group);
  }
  if (parsed.address.version === 4) group.v4.set(parsed.address.value, index);
  else {
    const words = parsed.address.words;
    const hash = wordsHash(words[0], words[1], words[2], words[3]);
    const list = group.v6.get(hash) ?? [];
    list.push({ words, index });
    group.v6.set(hash, list);
  }
}

/**
 * Classifies one endpoint (spec §1.10): exact alias on the whole string; else the host (inside
 * `[...]`, or before the last `:`) — an IP address is tested against the CIDRs, first declared
 * containing network wins; a host name against the host suffixes, longest suffix wins. Undefined when nothing matches.
 */
export function matchEndpoint(endpoint: string, network: CompiledNetworkRules): EndpointMatch | undefined {
  const exact = network.endpoints.get(endpoint);
  if (exact !== undefined) return exact;
  const host = endpointHost(endpoint);
  if (network.cidrs.length > 0 || network.hosts.size > 0) {
    const address = parseIpAddress(host);
    if (address !== undefined) return matchCidr(address, network);
    if (network.hosts.size > 0) return matchHost(host.toLowerCase(), network.hosts);
  }
  return undefined;
}

/** A match and, when it came through one of the endpoint's names, that name. */
export interface NamedEndpointMatch {
  readonly match: EndpointMatch;
  readonly name?: EndpointName;
}

/**
 * Classifies an endpoint that may carry names. Precedence: (1) an exact endpoint alias; (2) for
 * an IP endpoint the first declared CIDR containing it; (3) for a `host:port` endpoint the
 * longest host suffix of its own host; (4) only when none of these matched, the longest host
 * suffix over the endpoint's names (ties: the first name in name order, resolved before declared).
 * Without names this is exactly `matchEndpoint`.
 */
export function matchNamedEndpoint(
  endpoint: string,
  network: CompiledNetworkRules,
  names: readonly EndpointName[] | undefined,
): NamedEndpointMatch | undefined {
  const direct = matchEndpoint(endpoint, network);
  if (direct !== undefined) return { match: direct };
  if (names === undefined || names.length === 0 || network.hosts.size === 0) return undefined;
  let best: { match: EndpointMatch; name: EndpointName; length: number } | undefined;
  for (const name of names) {
    const found = longestHostSuffix(name.host.toLowerCase(), network.hosts);
    if (found !== undefined && (best === undefined || found.length > best.length)) best = { match: found.match, name, length: found.length };
  }
  return best && { match: best.match, name: best.name };
}

/** The host part of an endpoint as upstream `drift.py` extracts it. */
export function endpointHost(endpoint: string): string {
  if (endpoint.charCodeAt(0) === 91 /* [ */) {
    const close = endpoint.indexOf("]");
    if (close > 1) return endpoint.slice(1, close);
  }
  const colon = endpoint.lastIndexOf(":");
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}

// --- internal ---

const matches = new Map<string, EndpointMatch>();

function match(cls: string, relation: EndpointMatch["relation"], rule: EndpointMatch["rule"]): EndpointMatch {
  const key = `${cls}\u0000${relation}`;
  let found = matches.get(key);
  if (!found) {
    found = Object.freeze({ network_class: cls, relation, rule });
    matches.set(key, found);
  }
  return found;
}

function wordsHash(a: number, b: number, c: number, d: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f)) | 0;
}

function matchCidr(address: IpAddress, network: CompiledNetworkRules): EndpointMatch | undefined {
  // One probe per declared (version, prefix length); the lowest declaration index wins, as in a
  // first-match scan over the declared list.
  let best = Infinity;
  for (const group of network.cidrs) {
    if (group.version !== address.version) continue;
    const m = group.masks;
    let index: number | undefined;
    if (address.version === 4) index = group.v4.get((address.value & m[0]) >>> 0);
    else {
      const w = address.words;
      const a = (w[0] & m[0]) >>> 0;
      const b = (w[1] & m[1]) >>> 0;
      const c = (w[2] & m[2]) >>> 0;
      const d = (w[3] & m[3]) >>> 0;
      const candidates = group.v6.get(wordsHash(a, b, c, d));
      if (candidates) {
        for (const candidate of candidates) {
          const x = candidate.words;
          if (x[0] === a && x[1] === b && x[2] === c && x[3] === d) index = candidate.index;
        }
      }
    }
    if (index !== undefined && index < best) best = index;
  }
  return best === Infinity ? undefined : network.cidrMatches[best];
}

function matchHost(host: string, hosts: ReadonlyMap<string, EndpointMatch>): EndpointMatch | undefined {
  // Longest suffix first: the whole host, then after each `.` from the left.
  for (let start = 0; start >= 0; ) {
    const found = hosts.get(start === 0 ? host : host.slice(start));
    if (found !== undefined) return found;
    const dot = host.indexOf(".", start);
    start = dot < 0 ? -1 : dot + 1;
  }
  return undefined;
}

function longestHostSuffix(host: string, hosts: ReadonlyMap<string, EndpointMatch>): { match: EndpointMatch; length: number } | undefined {
  for (let start = 0; start >= 0; ) {
    const suffix = start === 0 ? host : host.slice(start);
    const found = hosts.get(suffix);
    if (found !== undefined) return { match: found, length: suffix.length };
    const dot = host.indexOf(".", start);
    start = dot < 0 ? -1 : dot + 1;
  }
  return undefined;
}

function issue(where: Where, code: string, path: string, expected: string, received: string, message: string): Issue {
  return {
    code,
    file: where.file,
    ...(where.member === undefined ? {} : { member: where.member }),
    path,
    expected,
    received: JSON.stringify(received),
    message,
  };
}
