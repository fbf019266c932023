import { createHash } from "node:crypto";
import * as v from "valibot";
import { compareCodePoints, EGRESS_POLICY_SCHEMA, EgressPolicySchema, fail, ok, type EgressPolicy, type Issue, type Result } from "../schema/index.ts";
import { cidrContains, formatIpBytes, parseCidrBytes, parseIpBytes, type IpBytes } from "./ip-bytes.ts";

/** One allow entry as the kernel's map holds it: a network and one port (0 = any port). */
export interface AllowTuple {
  readonly version: 4 | 6;
  /** Network-order address bytes, host bits cleared. */
  readonly bytes: Uint8Array;
  readonly prefixLength: number;
  readonly port: number;
}

/** A host rule as the stub checks it. */
export interface HostRule {
  /** The name, or the suffix after `*.`, lower-case. */
  readonly name: string;
  readonly wildcard: boolean;
  /** Allowed ports; empty = every port. */
  readonly ports: readonly number[];
}

/** A policy compiled into what the kernel programs and the stub need. */
export interface CompiledEgressPolicy {
  /** The policy in canonical form (sorted, lower-cased, normalised addresses). */
  readonly policy: EgressPolicy;
  /** `sha256:` + hex of the canonical bytes, recorded in the archive. */
  readonly digest: string;
  /** Static allow tuples (endpoints, CIDRs, bare ports) for the kernel's allow map. */
  readonly tuples: readonly AllowTuple[];
  /** Host rules, most specific first (exact names, then wildcards by longer suffix). */
  readonly hosts: readonly HostRule[];
}

/** Parses and normalises a policy document (already JSON-parsed); issues name the file and field. */
export function parseEgressPolicy(input: unknown, file: string): Result<CompiledEgressPolicy> {
  const parsed = v.safeParse(EgressPolicySchema, input);
  if (!parsed.success) {
    const issues = parsed.issues.map((i): Issue => {
      const path = (i.path ?? []).map((p) => String(p.key)).join(".");
      return {
        code: "EGRESS_POLICY_INVALID",
        file,
        path,
        expected: i.expected ?? "a valid value",
        received: i.received,
        message: `egress_policy.v0: field ${path || "(document)"}: ${i.message}`,
      };
    });
    return fail(issues[0]!, ...issues.slice(1));
  }
  return compileEgressPolicy(parsed.output, file);
}

/** Compiles a parsed policy: canonical form, digest, kernel tuples and host rules; a bad CIDR or endpoint is an issue. */
export function compileEgressPolicy(policy: EgressPolicy, file = "egress policy"): Result<CompiledEgressPolicy> {
  const issues: Issue[] = [];
  const bad = (path: string, expected: string, received: string) =>
    issues.push({
      code: "EGRESS_POLICY_INVALID",
      file,
      path,
      expected,
      received: JSON.stringify(received),
      message: `egress_policy.v0: field ${path}: expected ${expected}, received ${JSON.stringify(received)}`,
    });
  const tuples: AllowTuple[] = [];
  const endpoints = new Set<string>();
  policy.endpoints.forEach((text, i) => {
    const endpoint = parseEndpoint(text);
    if (endpoint === undefined) return void bad(`endpoints.${i}`, "an IP endpoint with a port of 0–65535", text);
    endpoints.add(formatEndpoint(endpoint.ip, endpoint.port));
    tuples.push({ version: endpoint.ip.version, bytes: endpoint.ip.bytes, prefixLength: endpoint.ip.bytes.length * 8, port: endpoint.port });
  });
  const cidrs = new Map<string, Set<number> | "any">();
  policy.cidrs.forEach(({ cidr, ports }, i) => {
    const network = parseCidrBytes(cidr);
    if (network === undefined) return void bad(`cidrs.${i}.cidr`, "an IP network such as 10.0.0.0/8 or 2001:db8::/32", cidr);
    const key = `${formatIpBytes(network)}/${network.prefixLength}`;
    cidrs.set(key, mergePorts(cidrs.get(key), ports));
    for (const port of ports ?? [0]) tuples.push({ version: network.version, bytes: network.bytes, prefixLength: network.prefixLength, port });
  });
  const ports = [...new Set(policy.ports)].sort((a, b) => a - b);
  for (const port of ports) {
    tuples.push({ version: 4, bytes: new Uint8Array(4), prefixLength: 0, port });
    tuples.push({ version: 6, bytes: new Uint8Array(16), prefixLength: 0, port });
  }
  const hostPorts = new Map<string, Set<number> | "any">();
  for (const { name, ports: allowed } of policy.hosts) hostPorts.set(name.toLowerCase(), mergePorts(hostPorts.get(name.toLowerCase()), allowed));
  if (issues.length > 0) return fail(issues[0]!, ...issues.slice(1));

  const portsOf = (set: Set<number> | "any" | undefined) => (set === undefined || set === "any" ? undefined : [...set].sort((a, b) => a - b));
  const canonical: EgressPolicy = {
    schema: EGRESS_POLICY_SCHEMA,
    endpoints: [...endpoints].sort(compareCodePoints),
    cidrs: [...cidrs.keys()].sort(compareCodePoints).map((cidr) => withPorts({ cidr }, portsOf(cidrs.get(cidr)))),
    ports,
    hosts: [...hostPorts.keys()].sort(compareCodePoints).map((name) => withPorts({ name }, portsOf(hostPorts.get(name)))),
  };
  const hosts = canonical.hosts
    .map(({ name, ports: p }): HostRule => ({ name: name.startsWith("*.") ? name.slice(2) : name, wildcard: name.startsWith("*."), ports: p ?? [] }))
    .sort((a, b) => Number(a.wildcard) - Number(b.wildcard) || b.name.length - a.name.length || compareCodePoints(a.name, b.name));
  return ok({ policy: canonical, digest: egressPolicyDigest(canonical), tuples, hosts });
}

/** The canonical bytes of a policy (compact JSON, fixed key order); the digest is over these. */
export function egressPolicyBytes(policy: EgressPolicy): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(policy));
}

/** `sha256:` + lower-case hex of the canonical bytes. */
export function egressPolicyDigest(policy: EgressPolicy): string {
  return `sha256:${createHash("sha256").update(egressPolicyBytes(policy)).digest("hex")}`;
}

/** The host rule allowing a name, or undefined: an exact name first, then the longest `*.` suffix (the suffix itself is not covered). */
export function matchHostRule(name: string, compiled: Pick<CompiledEgressPolicy, "hosts">): HostRule | undefined {
  const lower = name.toLowerCase().replace(/\.$/, "");
  for (const rule of compiled.hosts) {
    if (!rule.wildcard ? lower === rule.name : lower.endsWith(`.${rule.name}`)) return rule;
  }
  return undefined;
}

/** Why an attempt is allowed, or that it is not. */
export type EgressDecision = { readonly allowed: true; readonly by: "tuple" | "host"; readonly host?: string } | { readonly allowed: false };

/**
 * Decides one connect attempt the way the kernel program does: a static tuple matches (longest
 * prefix, port or any), or the address was answered for an allowed host on an allowed port.
 * `answered` maps an address to the names a DNS answer gave it for (the stub's allow map).
 */
export function decideEgress(
  compiled: CompiledEgressPolicy,
  address: string,
  port: number,
  answered: ReadonlyMap<string, readonly string[]> = new Map(),
): EgressDecision {
  const ip = parseIpBytes(address);
  if (ip === undefined) return { allowed: false };
  for (const tuple of compiled.tuples) {
    if ((tuple.port === 0 || tuple.port === port) && cidrContains(tuple, ip)) return { allowed: true, by: "tuple" };
  }
  for (const name of answered.get(formatIpBytes(ip)) ?? []) {
    const rule = matchHostRule(name, compiled);
    if (rule && (rule.ports.length === 0 || rule.ports.includes(port))) return { allowed: true, by: "host", host: name };
  }
  return { allowed: false };
}

// --- internal ---

function parseEndpoint(text: string): { ip: IpBytes; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const ip = parseIpBytes((m[1] ?? m[2]) as string);
  const port = Number(m[3]);
  if (ip === undefined || port > 65535 || (m[1] !== undefined) !== (ip.version === 6)) return undefined;
  return { ip, port };
}

function formatEndpoint(ip: IpBytes, port: number): string {
  return ip.version === 6 ? `[${formatIpBytes(ip)}]:${port}` : `${formatIpBytes(ip)}:${port}`;
}

function mergePorts(current: Set<number> | "any" | undefined, ports: readonly number[] | undefined): Set<number> | "any" {
  if (current === "any" || ports === undefined) return "any";
  const out = new Set(current ?? []);
  for (const port of ports) out.add(port);
  return out;
}

function withPorts<T extends object>(base: T, ports: number[] | undefined): T & { ports?: number[] } {
  return ports === undefined ? base : { ...base, ports };
}
