import { EGRESS_POLICY_SCHEMA, endpointAddress, isIpLiteral, type Baseline, type EgressPolicy, type EndpointNames, type Result } from "../schema/index.ts";
import { compileEgressPolicy, type CompiledEgressPolicy } from "./egress-policy.ts";

/** What one archive observed on the network: its endpoints and their names. */
export interface ObservedNetwork {
  readonly endpoints: readonly string[];
  readonly names: EndpointNames;
}

/**
 * Derives the policy that allows exactly what the archives observed: an endpoint with a name is
 * allowed through its name(s) on its port (addresses behind a name change between runs; names do
 * not), an IP endpoint without a name as itself. Wildcards are never invented. The result is
 * canonical, so the same archives in any order give the same bytes.
 */
export function deriveEgressPolicy(observed: readonly ObservedNetwork[]): Result<CompiledEgressPolicy> {
  const endpoints: string[] = [];
  const hosts: { name: string; ports: number[] }[] = [];
  for (const { endpoints: list, names } of observed) {
    for (const endpoint of list) {
      const port = portOf(endpoint);
      if (port === undefined) continue;
      const named = names.get(endpoint);
      const host = endpointAddress(endpoint);
      if (named && named.length > 0) for (const name of named) hosts.push({ name: name.host, ports: [port] });
      else if (isIpLiteral(host)) endpoints.push(endpoint);
      else hosts.push({ name: host.toLowerCase(), ports: [port] });
    }
  }
  const policy: EgressPolicy = { schema: EGRESS_POLICY_SCHEMA, endpoints, cidrs: [], ports: [], hosts };
  return compileEgressPolicy(policy, "derived policy");
}

/**
 * Derives the policy a reviewed baseline allows: an unclassified entry (`ip:port` or `name:port`)
 * as itself, a network class through the baseline's own rules that define it (their exact
 * endpoints, CIDRs, and host suffixes as the name and `*.` the name). Canonical, like the above.
 */
export function deriveEgressPolicyFromBaseline(baseline: Baseline): Result<CompiledEgressPolicy> {
  const endpoints: string[] = [];
  const cidrs: { cidr: string }[] = [];
  const hosts: { name: string; ports?: number[] }[] = [];
  const network = baseline.rules.network;
  for (const entry of baseline.endpoints) {
    if (entry.network_class === "unknown") {
      const port = portOf(entry.endpoint);
      const host = endpointAddress(entry.endpoint);
      if (port === undefined) continue;
      if (isIpLiteral(host)) endpoints.push(entry.endpoint);
      else hosts.push({ name: host.toLowerCase(), ports: [port] });
      continue;
    }
    for (const [endpoint, networkClass] of Object.entries(network.endpoints ?? {})) if (networkClass === entry.network_class) endpoints.push(endpoint);
    for (const rule of network.cidrs ?? []) if (rule.class === entry.network_class) cidrs.push({ cidr: rule.cidr });
    for (const [suffix, networkClass] of Object.entries(network.hosts ?? {})) {
      if (networkClass === entry.network_class) hosts.push({ name: suffix.toLowerCase() }, { name: `*.${suffix.toLowerCase()}` });
    }
  }
  const policy: EgressPolicy = { schema: EGRESS_POLICY_SCHEMA, endpoints, cidrs, ports: [], hosts };
  return compileEgressPolicy(policy, "policy derived from the baseline");
}

// --- internal ---

function portOf(endpoint: string): number | undefined {
  const colon = endpoint.lastIndexOf(":");
  const text = endpoint.slice(colon + 1);
  if (colon < 0 || !/^\d{1,5}$/.test(text) || Number(text) > 65535) return undefined;
  return Number(text);
}
