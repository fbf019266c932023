import { readFileSync } from "node:fs";
import { DnsRowCollector, readArchive } from "../evidence/index.ts";
import { ProjectionInputError, projectSurface, writeSurfaceRecords, type CompiledRules } from "../projection/index.ts";
import { CAPABILITY_SURFACE_SCHEMA, deriveEndpointNames, validateDocument, type CapabilitySurface, type EndpointNames } from "../schema/index.ts";
import { describe, inputError, type InputKind, type ProjectFormat, type Sink } from "./_project-io.ts";

// `project` of a capability surface: a capability-surface.json, or the one in an archive or an
// extracted directory, with the names its DNS rows give the surface's endpoints.

/** Projects the surface that `input` holds onto `compiled`, written to `sink` in `format`. */
export async function projectSurfaceInput(
  input: string,
  kind: Exclude<InputKind, "lines">,
  compiled: CompiledRules,
  format: ProjectFormat,
  sink: Sink,
): Promise<void> {
  printSurface(await readSurface(input, kind), input, compiled, format, sink);
}

// --- internal ---

/** Reads `capability-surface.json` from an archive or directory, and the names its DNS rows give (only those members, DNS lines only). */
async function readSurface(input: string, kind: Exclude<InputKind, "lines">): Promise<{ surface: CapabilitySurface; names?: EndpointNames }> {
  if (kind === "surface-json") return { surface: parseSurface(readFileSync(input, "utf8"), input, undefined) };
  const member = "capability-surface.json";
  const chunks: Uint8Array[] = [];
  const dns = new DnsRowCollector();
  const outcome = await readArchive(input, (name) =>
    name === member ? { write: (chunk: Uint8Array) => void chunks.push(chunk.slice()), end: () => {} } : name === "layers/kernel.ndjson" ? dns : undefined,
  );
  if (outcome.issues.length > 0) throw new ProjectionInputError("INPUT_INVALID", outcome.issues);
  if (chunks.length === 0) throw inputError("INPUT_INVALID", input, "", `a ${member} member`, "none", `archive has no ${member}`);
  const surface = parseSurface(Buffer.concat(chunks).toString("utf8"), input, member);
  const rows = dns.rows(input);
  if (!rows.ok) throw new ProjectionInputError("INPUT_INVALID", rows.issues);
  return { surface, names: deriveEndpointNames(rows.value, surface.network_endpoints) };
}

function parseSurface(text: string, file: string, member: string | undefined): CapabilitySurface {
  const where = member === undefined ? { file } : { file, member };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw inputError("INPUT_INVALID", file, "", "a JSON document", "text that is not JSON", `not JSON: ${describe(cause)}`, cause, member);
  }
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== CAPABILITY_SURFACE_SCHEMA) {
    throw inputError(
      "INPUT_INVALID",
      file,
      "schema",
      CAPABILITY_SURFACE_SCHEMA,
      JSON.stringify(schema),
      `expected a capability surface (${CAPABILITY_SURFACE_SCHEMA}), received schema ${JSON.stringify(schema)}`,
      undefined,
      member,
    );
  }
  const result = validateDocument(value, where);
  if (!result.ok) throw new ProjectionInputError("INPUT_INVALID", result.issues);
  return result.value as CapabilitySurface;
}

function printSurface(
  { surface, names }: { surface: CapabilitySurface; names?: EndpointNames },
  source: string,
  compiled: CompiledRules,
  format: ProjectFormat,
  sink: Sink,
): void {
  if (format === "ndjson") writeSurfaceRecords(surface, compiled, names, sink);
  else sink.write(`${JSON.stringify(projectSurface(surface, source, compiled, { summary: format === "summary", names }), null, 2)}\n`);
}
