import { compareCodePoints } from "./code-point-order.ts";

/** How an endpoint came by a name: a DNS answer gave its address, or the workload's own data states the name. */
export type NameSource = "resolved" | "declared";

/** One name an endpoint carries. */
export interface EndpointName {
  /** The name the workload asked for (CNAME chains are followed back to it), lower-case. */
  readonly host: string;
  readonly source: NameSource;
  /** CNAME targets between `host` and the address, in chain order (resolved names only). */
  readonly via?: readonly string[];
}

/** Endpoint → its names, sorted by host then source; endpoints without a name are absent. */
export type EndpointNames = ReadonlyMap<string, readonly EndpointName[]>;

/** The kernel row fields name derivation reads. */
export interface NameRow {
  readonly kind: string;
  readonly value: string | null;
  readonly network_destination?: string | undefined;
  readonly dns_cnames?: readonly string[] | undefined;
}

/**
 * Names the endpoints: an IP endpoint whose address a `dns_answer` row gave carries that
 * answer's queried name (`resolved`, with the CNAME chain as `via`); an endpoint written as
 * `host:port` (the workload's own data, as in hand-written arms) carries its host (`declared`),
 * as does any endpoint whose address `declared` lists. Pure and order-independent.
 */
export function deriveEndpointNames(
  rows: Iterable<NameRow>,
  endpoints: Iterable<string>,
  declared: ReadonlyMap<string, readonly string[]> = new Map(),
): Map<string, EndpointName[]> {
  const byAddress = new Map<string, Map<string, EndpointName>>();
  for (const row of rows) {
    if (row.kind !== "dns_answer" || row.value === null || row.network_destination === undefined) continue;
    const address = row.network_destination.toLowerCase();
    const names = byAddress.get(address) ?? new Map<string, EndpointName>();
    const via = row.dns_cnames ?? [];
    const key = `${row.value}\u0000${via.join(",")}`;
    if (!names.has(key)) names.set(key, via.length > 0 ? { host: row.value, source: "resolved", via: [...via] } : { host: row.value, source: "resolved" });
    byAddress.set(address, names);
  }
  const out = new Map<string, EndpointName[]>();
  for (const endpoint of endpoints) {
    const host = endpointAddress(endpoint);
    const names: EndpointName[] = [];
    if (isIpLiteral(host)) {
      const resolved = byAddress.get(host.toLowerCase()) ?? byAddress.get(unmapV4(host));
      if (resolved) names.push(...resolved.values());
      for (const name of declared.get(host.toLowerCase()) ?? []) names.push({ host: name.toLowerCase(), source: "declared" });
    } else if (host !== "") {
      names.push({ host: host.toLowerCase(), source: "declared" });
    }
    if (names.length > 0) out.set(endpoint, dedupe(names));
  }
  return out;
}

/** The address or host part of an endpoint: inside `[...]`, or before the last `:`. */
export function endpointAddress(endpoint: string): string {
  if (endpoint.startsWith("[")) {
    const close = endpoint.indexOf("]");
    if (close > 1) return endpoint.slice(1, close);
  }
  const colon = endpoint.lastIndexOf(":");
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}

/** Whether a host text is an IPv4 or IPv6 literal (not a name). */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(":") && /^[0-9a-fA-F:.]+$/.test(host));
}

/** Orders names by host, then resolved before declared, then chain. */
export function compareEndpointNames(a: EndpointName, b: EndpointName): number {
  return (
    compareCodePoints(a.host, b.host) ||
    (a.source === b.source ? 0 : a.source === "resolved" ? -1 : 1) ||
    compareCodePoints((a.via ?? []).join(","), (b.via ?? []).join(","))
  );
}

// --- internal ---

function unmapV4(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith("::ffff:") && /^\d{1,3}(\.\d{1,3}){3}$/.test(lower.slice(7)) ? lower.slice(7) : lower;
}

function dedupe(names: EndpointName[]): EndpointName[] {
  names.sort(compareEndpointNames);
  return names.filter((name, i) => i === 0 || compareEndpointNames(names[i - 1] as EndpointName, name) !== 0);
}
