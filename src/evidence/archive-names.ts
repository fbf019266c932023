import * as v from "valibot";
import {
  CapabilitySurfaceSchema,
  deriveEndpointNames,
  fail,
  KernelEventSchema,
  ok,
  type EndpointNames,
  type Issue,
  type KernelEvent,
  type Result,
} from "../schema/index.ts";

/** The network part of one archive: endpoints, the DNS rows, and the names they give the endpoints. */
export interface ArchiveNetwork {
  readonly endpoints: readonly string[];
  readonly dnsRows: readonly KernelEvent[];
  readonly names: EndpointNames;
}

/**
 * Reads endpoints and names from an archive's capability surface and kernel layer. Only kernel
 * lines that carry a DNS kind are parsed (the layer may be large); a member that is missing or
 * does not validate is an issue naming file and member.
 */
export function readArchiveNetwork(member: (name: string) => Uint8Array | undefined, file: string): Result<ArchiveNetwork> {
  const surfaceBytes = member("capability-surface.json");
  if (surfaceBytes === undefined) return fail(missing(file, "capability-surface.json"));
  let surfaceJson: unknown;
  try {
    surfaceJson = JSON.parse(new TextDecoder().decode(surfaceBytes));
  } catch (error) {
    return fail(
      issue(file, "capability-surface.json", undefined, "JSON_SYNTAX", "", "a JSON document", "invalid JSON", `not JSON: ${(error as Error).message}`),
    );
  }
  const surface = v.safeParse(CapabilitySurfaceSchema, surfaceJson);
  if (!surface.success) {
    return fail(schemaIssue(file, "capability-surface.json", undefined, surface.issues[0]));
  }
  const dnsRows: KernelEvent[] = [];
  const kernel = new TextDecoder().decode(member("layers/kernel.ndjson") ?? new Uint8Array(0));
  let line = 0;
  for (const text of kernel.split("\n")) {
    line += 1;
    if (!text.includes('"kind":"dns_')) continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return fail(issue(file, "layers/kernel.ndjson", line, "JSON_SYNTAX", "", "a JSON row", "invalid JSON", `not JSON: ${(error as Error).message}`));
    }
    const row = v.safeParse(KernelEventSchema, json);
    if (!row.success) {
      return fail(schemaIssue(file, "layers/kernel.ndjson", line, row.issues[0]));
    }
    dnsRows.push(row.output);
  }
  const endpoints = surface.output.network_endpoints;
  return ok({ endpoints, dnsRows, names: deriveEndpointNames(dnsRows, endpoints) });
}

/** A member sink for `layers/kernel.ndjson` that keeps only the DNS rows, line by line, in constant memory for the rest. */
export class DnsRowCollector {
  readonly lines: string[] = [];
  #carry = "";
  readonly #decoder = new TextDecoder();

  /** Feeds one chunk of the kernel layer. */
  write(chunk: Uint8Array): void {
    const text = this.#carry + this.#decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    this.#carry = lines.pop() ?? "";
    for (const line of lines) if (line.includes('"kind":"dns_')) this.lines.push(line);
  }

  /** Ends the member. */
  end(): void {
    const last = this.#carry + this.#decoder.decode();
    if (last.includes('"kind":"dns_')) this.lines.push(last);
    this.#carry = "";
  }

  /** The collected rows, validated; the first invalid one is an issue. */
  rows(file: string): Result<KernelEvent[]> {
    const rows: KernelEvent[] = [];
    for (const text of this.lines) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        return fail(issue(file, "layers/kernel.ndjson", undefined, "JSON_SYNTAX", "", "a JSON row", "invalid JSON", `not JSON: ${(error as Error).message}`));
      }
      const row = v.safeParse(KernelEventSchema, json);
      if (!row.success) {
        return fail(schemaIssue(file, "layers/kernel.ndjson", undefined, row.issues[0]));
      }
      rows.push(row.output);
    }
    return ok(rows);
  }
}

// --- internal ---

function missing(file: string, member: string): Issue {
  return issue(file, member, undefined, "MEMBER_MISSING", "", "the member", "none", `${member} is missing`);
}

// A member that does not validate, named by valibot's first issue.
function schemaIssue(file: string, member: string, line: number | undefined, first: v.BaseIssue<unknown>): Issue {
  return issue(file, member, line, "SCHEMA_INVALID", v.getDotPath(first) ?? "", first.expected ?? "a valid value", first.received, first.message);
}

function issue(file: string, member: string, line: number | undefined, code: string, path: string, expected: string, received: string, message: string): Issue {
  return { code, file, member, ...(line === undefined ? {} : { line }), path, expected, received, message };
}
