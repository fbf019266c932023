import { readFileSync, statSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import * as v from "valibot";
import { DnsRowCollector, readArchive } from "../evidence/index.ts";
import {
  parseRules,
  projectLinePaths,
  ProjectionInputError,
  projectSurface,
  streamLineRecords,
  summarizeLinePaths,
  writeSurfaceRecords,
  type CompiledRules,
  type LineInputOptions,
  type LineSource,
} from "../projection/index.ts";
import { CAPABILITY_SURFACE_SCHEMA, validateDocument, type CapabilitySurface, type Issue, deriveEndpointNames, type EndpointNames } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput } from "./_output.ts";
import { checkOutputFile, OutputFile } from "./_output-file.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { UsageError } from "./errors.ts";

export default cliCommand(
  {
    meta: COMMAND_META.project,
    args: {
      input: {
        type: "positional",
        required: false,
        description: "Archive, extracted directory, capability-surface.json, paths.txt, or - (stdin)",
        valueHint: "INPUT",
      },
      rules: { type: "string", description: "Projection rules file (assay.runner.projection_rules.v0 JSON)", valueHint: "FILE" },
      format: {
        type: "string",
        description: "json (one document, default), ndjson (one record per path/endpoint), summary (counts)",
        valueHint: "json|ndjson|summary",
      },
      output: { type: "string", description: "Write to FILE (atomically: a temporary file renamed into place) instead of stdout", valueHint: "FILE" },
      json: { type: "boolean", description: "One JSON document (--format json or summary; not ndjson) on stdout, or in --output" },
      quiet: { type: "boolean", description: "Print only errors" },
    },
    run: ({ args }) => projectCommand(parseArgsWith(ProjectArgsSchema, args)),
  },
  {
    synopsis: "[OPTIONS] INPUT --rules FILE",
    examples: [
      "assay-runner project out/run_001.tar.gz --rules rules.json --format summary",
      "find /srv -type f | assay-runner project - --rules rules.json --format ndjson",
    ],
  },
);

// --- internal ---

const ProjectArgsSchema = v.object({
  input: v.pipe(v.string("an INPUT to project is required"), v.minLength(1, "an INPUT to project is required")),
  rules: v.pipe(v.string("--rules FILE is required"), v.minLength(1, "--rules FILE is required")),
  format: v.optional(v.picklist(["json", "ndjson", "summary"], "expected json, ndjson or summary"), "json"),
  output: v.optional(v.pipe(v.string(), v.minLength(1))),
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

type ProjectOptions = v.InferOutput<typeof ProjectArgsSchema>;

async function projectCommand(options: ProjectOptions): Promise<number> {
  configureOutput({ quiet: options.quiet });
  if (options.json && options.format === "ndjson")
    throw new UsageError("BAD_ARGUMENT", "--json prints one document; --format ndjson prints one per line: use one of them");
  checkOutputFile("--output", options.output);
  const compiled = loadRules(options.rules);
  const sink = openSink(options.output);
  try {
    const kind = inputKind(options.input);
    if (kind === "lines") await projectLines(options.input, compiled, options.format, sink);
    else printSurface(await readSurface(options.input, kind), options.input, compiled, options.format, sink);
    await sink.commit();
  } catch (error) {
    sink.abandon();
    throw error;
  }
  return 0;
}

function loadRules(file: string): CompiledRules {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw inputError("RULES_INVALID", file, "", "a readable rules file", describe(cause), `cannot read rules file: ${describe(cause)}`);
  }
  const compiled = parseRules(text, file);
  if (!compiled.ok) throw new ProjectionInputError("RULES_INVALID", compiled.issues);
  return compiled.value;
}

type InputKind = "lines" | "surface-json" | "archive";

function inputKind(input: string): InputKind {
  if (input === "-") return "lines";
  let isDirectory: boolean;
  try {
    isDirectory = statSync(input).isDirectory();
  } catch (cause) {
    throw inputError("INPUT_INVALID", input, "", "a readable file or directory", describe(cause), `cannot read input: ${describe(cause)}`);
  }
  if (isDirectory || /\.(tar\.gz|tgz)$/.test(input)) return "archive";
  if (input.endsWith(".json")) return "surface-json";
  return "lines";
}

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
  format: ProjectOptions["format"],
  sink: Sink,
): void {
  if (format === "ndjson") writeSurfaceRecords(surface, compiled, names, sink);
  else sink.write(`${JSON.stringify(projectSurface(surface, source, compiled, { summary: format === "summary", names }), null, 2)}\n`);
}

/** Projects one path per line (a file, or stdin for `-`); ndjson and summary stream, json needs the whole set (it is sorted). */
async function projectLines(input: string, compiled: CompiledRules, format: ProjectOptions["format"], sink: Sink): Promise<void> {
  const source: LineSource = input === "-" ? { name: "<stdin>", open: () => Bun.stdin.stream() } : { file: input };
  const options = lineInputOptions();
  if (format === "ndjson") await streamLineRecords(source, compiled, sink, options);
  else {
    const document = format === "json" ? await projectLinePaths(source, compiled, options) : await summarizeLinePaths(source, compiled, options);
    sink.write(`${JSON.stringify(document, null, 2)}\n`);
  }
}

function lineInputOptions(): LineInputOptions {
  return {
    // ASSAY_PROJECTION_CORE=string keeps the previous engine (a string per line): the bench measures
    // both in one binary, and it is a way out should the byte core misbehave somewhere.
    byteCore: process.env.ASSAY_PROJECTION_CORE !== "string",
    parallelMinBytes: parallelMin(),
    startWorker: () => new Worker(workerUrl()),
  };
}

// The worker entry beside this file; in the compiled binary the bundle's chunks (this one among
// them) sit at the root of its embedded file system, and the worker entry at cli/ below it.
function workerUrl(): URL {
  const inBinary = import.meta.url.includes("/$bunfs/");
  return new URL(inBinary ? "./cli/_project-worker.ts" : "./_project-worker.ts", import.meta.url);
}

// Below this size one core finishes before a worker would have started (measured: see README).
const PARALLEL_MIN = 16 << 20;

// The size from which a second core is used: PARALLEL_MIN while another core is idle (the last
// minute's load average below the core count less one half: on a busy host the worker only waits
// for a core and adds its start-up, measured 0.5 s against 0.35 s for 1M paths at load 8 on 2
// cores). ASSAY_PROJECT_PARALLEL_MIN_BYTES sets the size and skips the load check (tests compare
// one core with two on small files). Either way the output is the same.
function parallelMin(): number {
  const value = Number(process.env.ASSAY_PROJECT_PARALLEL_MIN_BYTES);
  if (process.env.ASSAY_PROJECT_PARALLEL_MIN_BYTES !== undefined && Number.isInteger(value) && value >= 0) return value;
  const cores = availableParallelism();
  return cores >= 2 && loadavg()[0]! < cores - 0.5 ? PARALLEL_MIN : Number.POSITIVE_INFINITY;
}

interface Sink {
  write(text: string): void;
  /** Writes bytes that are valid only during the call (it copies or writes them at once). */
  writeBytes(bytes: Uint8Array): void;
  commit(): Promise<void>;
  abandon(): void;
}

/** Stdout, or `--output` written whole or not at all. */
function openSink(output: string | undefined): Sink {
  if (output === undefined) {
    const writer = Bun.stdout.writer();
    // Bytes go straight to the descriptor, synchronously (the writer would queue them without bound);
    // once they have, text follows the same way so the order holds.
    let direct: OutputFile | undefined;
    return {
      write: (text) => void (direct ? direct.write(text) : writer.write(text)),
      writeBytes: (bytes) => {
        direct ??= new OutputFile("stdout", "/dev/stdout");
        direct.writeBytes(bytes);
      },
      commit: async () => {
        direct?.commit();
        await writer.flush();
      },
      abandon: () => direct?.abandon(),
    };
  }
  const file = new OutputFile("--output", output);
  return { write: (text) => file.write(text), writeBytes: (bytes) => file.writeBytes(bytes), commit: async () => file.commit(), abandon: () => file.abandon() };
}

function inputError(
  code: "RULES_INVALID" | "INPUT_INVALID",
  file: string,
  path: string,
  expected: string,
  received: string,
  message: string,
  cause?: unknown,
  member?: string,
): ProjectionInputError {
  const issue: Issue = { code, file, ...(member === undefined ? {} : { member }), path, expected, received, message };
  return new ProjectionInputError(code, [issue], cause === undefined ? undefined : { cause });
}

function describe(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && error.code === "ENOENT") return "no such file or directory";
  return error instanceof Error ? error.message : String(error);
}
