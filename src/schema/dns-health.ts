import type { CapabilitySurface } from "./capability-surface.ts";
import { deriveEndpointNames, endpointAddress, isIpLiteral, type NameRow } from "./endpoint-names.ts";
import type { Issue } from "./issue.ts";
import { makeIssue, type Where } from "./_to-issues.ts";

/** What the DNS sources counted besides the rows they wrote. */
export interface DnsCounters {
  /** DNS packets that could not be parsed (each also named in no row). */
  readonly unparseable: number;
  /** Answers whose query was sent before capture was armed (their name may be missing from endpoints). */
  readonly answersBeforeArmed: number;
}

/** The numbers of a `dns_capture:` note, all derivable from the archive except the two counters. */
export interface DnsNote extends DnsCounters {
  readonly queries: number;
  readonly answerRows: number;
  readonly namedEndpoints: number;
  readonly ipEndpoints: number;
  readonly complete: boolean;
}

/** Note code of the DNS health note (ours, appended after upstream's notes). */
export const DNS_NOTE_CODE = "dns_capture";

/**
 * Computes the DNS note for a kernel layer and surface: names are `complete` only when every IP
 * endpoint (resolver endpoints aside) carries a name, no packet was unparseable and no answer
 * predates capture; otherwise a network claim's names are incomplete and the note says so.
 */
export function dnsNoteOf(
  rows: readonly (NameRow & { readonly network_port?: number | undefined })[],
  endpoints: readonly string[],
  counters: DnsCounters,
): DnsNote {
  let queries = 0;
  let answerRows = 0;
  const resolvers = new Set<string>();
  for (const row of rows) {
    if (row.kind === "dns_query") {
      queries += 1;
      if (row.network_destination !== undefined && row.network_port !== undefined) {
        resolvers.add(
          row.network_destination.includes(":") ? `[${row.network_destination}]:${row.network_port}` : `${row.network_destination}:${row.network_port}`,
        );
      }
    } else if (row.kind === "dns_answer") answerRows += 1;
  }
  const considered = endpoints.filter((endpoint) => isIpLiteral(endpointAddress(endpoint)) && !resolvers.has(endpoint));
  const names = deriveEndpointNames(rows, considered);
  const namedEndpoints = considered.filter((endpoint) => names.has(endpoint)).length;
  const complete = namedEndpoints === considered.length && counters.unparseable === 0 && counters.answersBeforeArmed === 0;
  return { queries, answerRows, ...counters, namedEndpoints, ipEndpoints: considered.length, complete };
}

/** Renders the note: `dns_capture: queries=… answer_rows=… unparseable=… answers_before_armed=… named_endpoints=N/T names=complete|incomplete`. */
export function formatDnsNote(note: DnsNote): string {
  return `${DNS_NOTE_CODE}: queries=${note.queries} answer_rows=${note.answerRows} unparseable=${note.unparseable} answers_before_armed=${note.answersBeforeArmed} named_endpoints=${note.namedEndpoints}/${note.ipEndpoints} names=${note.complete ? "complete" : "incomplete"}`;
}

/** Reads a `dns_capture:` note back; undefined when the text does not have the note's shape. */
export function parseDnsNote(text: string): DnsNote | undefined {
  const m =
    /^dns_capture: queries=(\d+) answer_rows=(\d+) unparseable=(\d+) answers_before_armed=(\d+) named_endpoints=(\d+)\/(\d+) names=(complete|incomplete)$/.exec(
      text,
    );
  if (m === null) return undefined;
  const n = (i: number) => Number(m[i]);
  return {
    queries: n(1),
    answerRows: n(2),
    unparseable: n(3),
    answersBeforeArmed: n(4),
    namedEndpoints: n(5),
    ipEndpoints: n(6),
    complete: m[7] === "complete",
  };
}

/**
 * Checks an archive's DNS evidence against its health: DNS rows require exactly one
 * `dns_capture:` note; the note's row and endpoint counts must be what the rows and surface give,
 * and it may say `names=complete` only when that holds (counters included).
 */
export function checkDnsNote(
  rows: readonly (NameRow & { readonly network_port?: number | undefined })[],
  surface: Pick<CapabilitySurface, "network_endpoints">,
  notes: readonly string[],
  where: Where,
): Issue[] {
  const at = { ...where, member: "observation-health.json" };
  const noteTexts = notes.filter((note) => note.startsWith(`${DNS_NOTE_CODE}:`));
  const hasRows = rows.some((row) => row.kind === "dns_query" || row.kind === "dns_answer");
  if (noteTexts.length === 0) {
    return hasRows
      ? [
          makeIssue(
            at,
            "DNS_NOTE_MISSING",
            "notes",
            "a dns_capture: note",
            "none",
            "the kernel layer holds DNS rows but observation health has no dns_capture: note saying how complete the names are",
          ),
        ]
      : [];
  }
  if (noteTexts.length > 1)
    return [
      makeIssue(at, "DNS_NOTE_REPEATED", "notes", "one dns_capture: note", `${noteTexts.length}`, "observation health has more than one dns_capture: note"),
    ];
  const text = noteTexts[0] as string;
  const stated = parseDnsNote(text);
  if (stated === undefined) {
    return [
      makeIssue(
        at,
        "DNS_NOTE_MALFORMED",
        "notes",
        "dns_capture: queries=N answer_rows=N unparseable=N answers_before_armed=N named_endpoints=N/N names=complete|incomplete",
        JSON.stringify(text),
        "the dns_capture: note does not have its documented shape",
      ),
    ];
  }
  const derived = dnsNoteOf(rows, surface.network_endpoints, stated);
  const fields: [string, number | boolean, number | boolean][] = [
    ["queries", stated.queries, derived.queries],
    ["answer_rows", stated.answerRows, derived.answerRows],
    ["named_endpoints", stated.namedEndpoints, derived.namedEndpoints],
    ["ip_endpoints", stated.ipEndpoints, derived.ipEndpoints],
    ["names", stated.complete, derived.complete],
  ];
  return fields
    .filter(([, said, is]) => said !== is)
    .map(([field, said, is]) =>
      makeIssue(
        at,
        "DNS_NOTE_MISMATCH",
        "notes",
        `${field}=${show(is)}`,
        `${field}=${show(said)}`,
        `the dns_capture: note says ${field}=${show(said)} but the kernel rows and surface give ${show(is)}`,
      ),
    );
}

// --- internal ---

function show(value: number | boolean): string {
  return typeof value === "boolean" ? (value ? "complete" : "incomplete") : String(value);
}
