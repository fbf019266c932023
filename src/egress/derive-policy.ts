import { EGRESS_POLICY_SCHEMA, endpointAddress, isIpLiteral, type EgressPolicy, type EndpointNames, type Result } from "../schema/index.ts";
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

// --- internal ---

function portOf(endpoint: string): number | undefined {
  const colon = endpoint.lastIndexOf(":");
  const text = endpoint.slice(colon + 1);
  if (colon < 0 || !/^\d{1,5}$/.test(text) || Number(text) > 65535) return undefined;
  return Number(text);
}
