import * as v from "valibot";
import type { InvariantViolation } from "./_invariant.ts";
import { isIpLiteral } from "./endpoint-names.ts";
import { U16Schema, U32Schema } from "./integers.ts";

// DNS observations in the kernel layer (our extension of kernel_event.v0, like exec rows):
// one `dns_query` row per query seen, one `dns_answer` row per address an answer gave (or one
// address-less row for NXDOMAIN/NODATA). Both the runner's stub resolver and the capture engine
// produce the same DnsObservation records; only the runner turns them into rows.

/** Monitor id of a DNS query row (ours; upstream's monitor has no DNS hook). */
export const DNS_QUERY_EVENT_TYPE = 30;
/** Monitor id of a DNS answer row (ours). */
export const DNS_ANSWER_EVENT_TYPE = 31;
/** The two DNS row kinds. */
export const DNS_ROW_KINDS = ["dns_query", "dns_answer"] as const;
/** Who saw the DNS message: the runner's stub resolver, or the kernel capture engine. */
export const DNS_SOURCES = ["stub", "capture"] as const;

/** One address an answer gave for the queried name, with the CNAME chain that led to it. */
export const DnsAnswerAddressSchema = v.strictObject({
  /** IPv4 dotted or IPv6 in RFC 5952 form (as endpoints print it). */
  address: v.string(),
  ttl: U32Schema,
  /** CNAME targets from the queried name to the address's owner, in chain order; empty when direct. */
  cnames: v.array(v.string()),
});

/** One DNS message as the stub or the capture engine observed it, already parsed. */
export const DnsObservationSchema = v.strictObject({
  direction: v.picklist(["query", "answer"]),
  source: v.picklist(DNS_SOURCES),
  /** The process that sent the query or received the answer; 0 when not known (the stub sees only a socket). */
  pid: U32Schema,
  /** The queried name, presentation form, lower-case, without the trailing dot. */
  name: v.pipe(v.string(), v.minLength(1)),
  /** Query type name ("A", "AAAA", "TYPE65"). */
  type: v.pipe(v.string(), v.minLength(1)),
  /** The resolver's address and port (queries). */
  resolver: v.optional(v.string()),
  resolver_port: v.optional(U16Schema),
  /** Response code name (answers). */
  rcode: v.optional(v.string()),
  /** Addresses the answer gave (answers). */
  answers: v.optional(v.array(DnsAnswerAddressSchema)),
});

/** A parsed DNS observation, the record both DNS sources hand to the runner. */
export type DnsObservation = v.InferOutput<typeof DnsObservationSchema>;

/** The DNS-only fields a kernel row may carry (after upstream's fields, in this order). */
export const DnsRowEntries = {
  dns_type: v.optional(v.pipe(v.string(), v.minLength(1))),
  dns_ttl: v.optional(U32Schema),
  dns_cnames: v.optional(v.pipe(v.array(v.string()), v.minLength(1, "expected a non-empty list (dns_cnames is omitted when empty)"))),
  dns_rcode: v.optional(v.string()),
  dns_source: v.optional(v.picklist(DNS_SOURCES)),
} as const;

/** What a row written from one DNS observation holds besides schema, run id, seq and pid. */
export interface DnsRowFields {
  readonly eventType: typeof DNS_QUERY_EVENT_TYPE | typeof DNS_ANSWER_EVENT_TYPE;
  readonly pid: number;
  /** The JSON text after `"value":…` (leading comma included), in field order. */
  readonly tail: string;
  readonly value: string;
}

/** Turns one observation into the row contents it is written as (a query: one row; an answer: one per address, or one without). */
export function dnsRowsOf(observation: DnsObservation): DnsRowFields[] {
  const common = { pid: observation.pid, value: observation.name };
  const source = `,"dns_source":"${observation.source}"`;
  if (observation.direction === "query") {
    let tail = "";
    if (observation.resolver !== undefined) tail += `,"network_destination":${JSON.stringify(observation.resolver)}`;
    if (observation.resolver_port !== undefined) tail += `,"network_port":${observation.resolver_port}`;
    tail += `,"dns_type":${JSON.stringify(observation.type)}${source}`;
    return [{ eventType: DNS_QUERY_EVENT_TYPE, ...common, tail }];
  }
  const answers = observation.answers ?? [];
  if (answers.length === 0) {
    const tail = `,"dns_type":${JSON.stringify(observation.type)},"dns_rcode":${JSON.stringify(observation.rcode ?? "NOERROR")}${source}`;
    return [{ eventType: DNS_ANSWER_EVENT_TYPE, ...common, tail }];
  }
  return answers.map((answer) => {
    let tail = `,"network_destination":${JSON.stringify(answer.address)},"dns_type":"${answer.address.includes(":") ? "AAAA" : "A"}","dns_ttl":${answer.ttl}`;
    if (answer.cnames.length > 0) tail += `,"dns_cnames":${JSON.stringify(answer.cnames)}`;
    return { eventType: DNS_ANSWER_EVENT_TYPE, ...common, tail: tail + source };
  });
}

/** What a DNS row must and must not carry; checked by the kernel row schema. */
export function dnsRowViolations(row: DnsRowShape): InvariantViolation[] {
  const isDns = row.kind === "dns_query" || row.kind === "dns_answer";
  if (!isDns) {
    // A loop, not filter and map: every kernel row comes here, and a short command runs it cold.
    const misplaced: InvariantViolation[] = [];
    for (const field of DNS_FIELDS) {
      if (row[field] === undefined) continue;
      misplaced.push({
        path: [field],
        expected: "absent (DNS fields belong to dns_query and dns_answer rows)",
        received: JSON.stringify(row[field]),
        message: `kernel_event.v0 row: ${field} is only valid on dns_query and dns_answer rows, not on kind "${row.kind}"`,
      });
    }
    return misplaced;
  }
  const violations: InvariantViolation[] = [];
  const need = (field: string, why: string) =>
    violations.push({ path: [field], expected: "present", received: "undefined", message: `kernel_event.v0 row: ${row.kind} requires ${field} (${why})` });
  const forbid = (field: keyof DnsRowShape) => {
    if (row[field] !== undefined) {
      violations.push({
        path: [field],
        expected: "absent",
        received: JSON.stringify(row[field]),
        message: `kernel_event.v0 row: ${row.kind} never carries ${field}`,
      });
    }
  };
  if (row.value === null) need("value", "the queried name");
  if (row.dns_type === undefined) need("dns_type", "the query or record type");
  if (row.dns_source === undefined) need("dns_source", "stub or capture");
  if (row.kind === "dns_query") {
    for (const field of ["dns_ttl", "dns_cnames", "dns_rcode"] as const) forbid(field);
  } else {
    forbid("network_port");
    if (row.network_destination !== undefined) {
      if (!isIpLiteral(row.network_destination)) {
        violations.push({
          path: ["network_destination"],
          expected: "an IPv4 or IPv6 address",
          received: JSON.stringify(row.network_destination),
          message: `kernel_event.v0 row: dns_answer network_destination must be the answered address, received ${JSON.stringify(row.network_destination)}`,
        });
      }
      if (row.dns_ttl === undefined) need("dns_ttl", "an address row carries its TTL");
      forbid("dns_rcode");
      const family = row.network_destination.includes(":") ? "AAAA" : "A";
      if (row.dns_type !== undefined && row.dns_type !== family) {
        violations.push({
          path: ["dns_type"],
          expected: JSON.stringify(family),
          received: JSON.stringify(row.dns_type),
          message: `kernel_event.v0 row: dns_answer for address ${row.network_destination} must have dns_type "${family}"`,
        });
      }
    } else {
      if (row.dns_rcode === undefined) need("dns_rcode", "an answer without an address says why");
      forbid("dns_ttl");
      forbid("dns_cnames");
    }
  }
  for (const field of ["cgroup_id", "rule_id", "flags", "mode", "resolve", "return_value", "access_mode", "operation_flags", "status"] as const) forbid(field);
  return violations;
}

/** The row fields `dnsRowViolations` reads. */
export interface DnsRowShape {
  readonly kind: string;
  readonly value: string | null;
  readonly network_destination?: string | undefined;
  readonly network_port?: number | undefined;
  readonly dns_type?: string | undefined;
  readonly dns_ttl?: number | undefined;
  readonly dns_cnames?: readonly string[] | undefined;
  readonly dns_rcode?: string | undefined;
  readonly dns_source?: string | undefined;
  readonly cgroup_id?: unknown;
  readonly rule_id?: unknown;
  readonly flags?: unknown;
  readonly mode?: unknown;
  readonly resolve?: unknown;
  readonly return_value?: unknown;
  readonly access_mode?: unknown;
  readonly operation_flags?: unknown;
  readonly status?: unknown;
}

// --- internal ---

const DNS_FIELDS = ["dns_type", "dns_ttl", "dns_cnames", "dns_rcode", "dns_source"] as const;
