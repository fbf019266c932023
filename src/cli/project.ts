import { readFileSync, statSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import * as v from "valibot";
import { DnsRowCollector, readArchive } from "../evidence/index.ts";
import {
  classifyEndpoint,
  ByteClassifier,
  classifyPath,
  projectLineBytes,
  LineTally,
  parseRules,
  PathTally,
  projectEndpoints,
  projectPaths,
  ProjectionInputError,
  type CompiledRules,
} from "../projection/index.ts";
import {
  CAPABILITY_SURFACE_SCHEMA,
  PROJECTION_REPORT_SCHEMA,
  validateDocument,
  type CapabilitySurface,
  type Issue,
  type ProjectionReport,
  deriveEndpointNames,
  type EndpointNames,
} from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput } from "./_output.ts";
import { checkOutputFile, OutputFile } from "./_output-file.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { UsageError } from "./errors.ts";
import { feedFileRange, feedStream, lineStartAfter, NotTextError, READ_CHUNK as FEED_CHUNK, type LineTarget } from "./_line-feeder.ts";
import { forEachLine } from "./_line-reader.ts";
import type { TallyReply, TallyRequest } from "./_project-worker.ts";

export default cliCommand({
  meta: COMMAND_META.project,
  args: {
    input: { type: "positional", required: false, description: "Archive, extracted directory, capability-surface.json, paths.txt, or - (stdin)", valueHint: "INPUT" },
    rules: { type: "string", description: "Projection rules file (assay.runner.projection_rules.v0 JSON)", valueHint: "FILE" },
    format: { type: "string", description: "json (one document, default), ndjson (one record per path/endpoint), summary (counts)", valueHint: "json|ndjson|summary" },
    output: { type: "string", description: "Write to FILE (atomically: a temporary file renamed into place) instead of stdout", valueHint: "FILE" },
    json: { type: "boolean", description: "One JSON document (--format json or summary; not ndjson) on stdout, or in --output" },
    quiet: { type: "boolean", description: "Print only errors" },
  },
  run: ({ args }) => projectCommand(parseArgsWith(ProjectArgsSchema, args)),
}, {
  synopsis: "[OPTIONS] INPUT --rules FILE",
  examples: ["assay-runner project out/run_001.tar.gz --rules rules.json --format summary", "find /srv -type f | assay-runner project - --rules rules.json --format ndjson"],
});

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

const FLUSH_AT = 1 << 20;

async function projectCommand(options: ProjectOptions): Promise<number> {
  configureOutput({ quiet: options.quiet });
  if (options.json && options.format === "ndjson") throw new UsageError("BAD_ARGUMENT", "--json prints one document; --format ndjson prints one per line: use one of them");
  checkOutputFile("--output", options.output);
  const compiled = loadRules(options.rules);
  const sink = openSink(options.output);
  try {
    const kind = inputKind(options.input);
    if (kind === "lines") await projectLines(options.input, compiled, options.format, sink);
    else projectSurface(await readSurface(options.input, kind), options.input, compiled, options.format, sink);
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
    throw inputError("INPUT_INVALID", file, "schema", CAPABILITY_SURFACE_SCHEMA, JSON.stringify(schema), `expected a capability surface (${CAPABILITY_SURFACE_SCHEMA}), received schema ${JSON.stringify(schema)}`, undefined, member);
  }
  const result = validateDocument(value, where);
  if (!result.ok) throw new ProjectionInputError("INPUT_INVALID", result.issues);
  return result.value as CapabilitySurface;
}

function projectSurface({ surface, names }: { surface: CapabilitySurface; names?: EndpointNames }, source: string, compiled: CompiledRules, format: ProjectOptions["format"], sink: Sink): void {
  if (format === "ndjson") {
    for (const path of surface.filesystem_paths) sink.write(`${JSON.stringify(classifyPath(path, compiled))}\n`);
    for (const endpoint of surface.network_endpoints) sink.write(`${JSON.stringify(classifyEndpoint(endpoint, compiled, names))}\n`);
    return;
  }
  let pathPart: ProjectionReport["path_projection"];
  if (format === "summary") {
    const tally = new PathTally(compiled);
    for (const path of surface.filesystem_paths) tally.add(path);
    pathPart = tally.summary();
  } else pathPart = projectPaths(surface.filesystem_paths, compiled);
  const report: ProjectionReport = {
    schema: PROJECTION_REPORT_SCHEMA,
    source,
    run_id: surface.run_id,
    path_projection: pathPart,
    network_projection: projectEndpoints(surface.network_endpoints, compiled, names),
  };
  sink.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** Projects one path per line; ndjson and summary stream, json needs the whole set (it is sorted). */
async function projectLines(input: string, compiled: CompiledRules, format: ProjectOptions["format"], sink: Sink): Promise<void> {
  try {
    await projectLinesWith(input, compiled, format, sink);
  } catch (error) {
    if (error instanceof NotTextError) throw notTextError(input, error.received);
    throw error;
  }
}

async function projectLinesWith(input: string, compiled: CompiledRules, format: ProjectOptions["format"], sink: Sink): Promise<void> {
  if (byteCoreWanted() && (await projectLinesFromBytes(input, compiled, format, sink))) return;
  if (format === "json") {
    const all: string[] = [];
    await forEachLine(input, (line) => void all.push(line));
    sink.write(`${JSON.stringify(projectPaths(all, compiled), null, 2)}\n`);
    return;
  }
  if (format === "summary") {
    const tally = new PathTally(compiled);
    await forEachLine(input, (line) => void tally.add(line));
    sink.write(`${JSON.stringify(tally.summary(), null, 2)}\n`);
    return;
  }
  let pending = "";
  await forEachLine(input, (line) => {
    pending += `${JSON.stringify(classifyPath(line, compiled))}\n`;
    if (pending.length >= FLUSH_AT) {
      sink.write(pending);
      pending = "";
    }
  });
  sink.write(pending);
}

/**
 * Projects one path per line with the byte core, reading the bytes straight into it (no string per
 * line): the same output as the string engine. False when the byte core cannot hold the rules.
 */
async function projectLinesFromBytes(input: string, compiled: CompiledRules, format: ProjectOptions["format"], sink: Sink): Promise<boolean> {
  if (format === "json") {
    const document = await projectLinesByBytes(input, compiled);
    if (document === undefined) return false;
    sink.write(`${JSON.stringify(document, null, 2)}\n`);
    return true;
  }
  if (format === "summary") {
    const lineTally = LineTally.create(compiled, REFUSE_INVALID);
    if (lineTally === undefined) return false;
    await tallyLines(input, compiled, lineTally);
    sink.write(`${JSON.stringify(lineTally.summary(), null, 2)}\n`);
    return true;
  }
  const classifier = ByteClassifier.create(compiled, REFUSE_INVALID);
  if (classifier === undefined) return false;
  // Records are written from the bytes; the sink copies each chunk (the core reuses its buffer).
  const ndjson = { bytes: (chunk: Uint8Array) => sink.writeBytes(chunk), text: (records: string) => sink.writeBytes(Buffer.from(records)) };
  const target: LineTarget = { input: (size) => classifier.input(size), add: (from, to, final) => classifier.ndjsonRange(from, to, final, ndjson) };
  await (input === "-" ? feedStream(Bun.stdin.stream(), target) : feedFileRange(input, 0, statSync(input).size, target));
  return true;
}

/**
 * The json document of a file or stdin from the byte core, the whole input held as bytes (no string
 * per line); undefined when the byte core cannot hold the rules.
 */
async function projectLinesByBytes(input: string, compiled: CompiledRules): Promise<ReturnType<typeof projectLineBytes>> {
  const classifier = ByteClassifier.create(compiled);
  if (classifier === undefined) return undefined;
  let length = 0;
  // Nothing is consumed before the end: the lines stay in the buffer, which grows to hold them all.
  const target: LineTarget = { input: (size) => classifier.input(size), add: (from, to, final) => ((length = final ? to : length), from) };
  if (input === "-") await feedStream(Bun.stdin.stream(), target);
  else {
    const size = statSync(input).size;
    // The input, and the rows and sort keys of at most one line per 16 bytes (28 bytes a line).
    classifier.reserve(size + FEED_CHUNK + Math.ceil(size / 16) * 28 + (1 << 20));
    classifier.input(size + FEED_CHUNK);
    await feedFileRange(input, 0, size, target);
  }
  // It declines only when a line is not UTF-8.
  const document = projectLineBytes(classifier, length);
  if (document === undefined) throw new NotTextError("bytes that are not UTF-8");
  return document;
}

/**
 * Counts the lines of a file or stdin with the byte core. A file of at least `PARALLEL_MIN` bytes
 * is split at a line boundary and its second half counted by a worker on the other core; the
 * counts merge into the same summary as one core's (sums, and the smallest samples of both).
 */
async function tallyLines(input: string, compiled: CompiledRules, tally: LineTally): Promise<void> {
  if (input === "-") return feedStream(Bun.stdin.stream(), tally);
  const size = statSync(input).size;
  const split = size >= parallelMin() ? lineStartAfter(input, Math.floor(size / 2), size) : size;
  if (split >= size) return feedFileRange(input, 0, size, tally);
  let worker: Worker;
  try {
    worker = new Worker(workerUrl());
  } catch {
    return feedFileRange(input, 0, size, tally);
  }
  try {
    // Handled at once: a worker that fails early must not leave an unhandled rejection behind.
    const reply = new Promise<TallyReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<TallyReply>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(`projection worker failed: ${event.message}`));
    }).catch((error: unknown): TallyReply => ({ ok: false, message: String(error) }));
    worker.postMessage({ file: input, from: split, to: size, rules: compiled.rules } satisfies TallyRequest);
    await feedFileRange(input, 0, split, tally);
    const counts = await reply;
    if (counts.ok) tally.merge(counts.counts);
    else if (counts.notText !== undefined) throw new NotTextError(counts.notText);
    // A worker that could not run (its entry missing from a build, a host without threads) costs
    // speed, not the answer: the main thread counts the second half too.
    else await feedFileRange(input, split, size, tally);
  } finally {
    worker.terminate();
  }
}

// The worker entry beside this file; in the compiled binary the bundle's chunks (this one among
// them) sit at the root of its embedded file system, and the worker entry at cli/ below it.
function workerUrl(): URL {
  const inBinary = import.meta.url.includes("/$bunfs/");
  return new URL(inBinary ? "./cli/_project-worker.ts" : "./_project-worker.ts", import.meta.url);
}

// ASSAY_PROJECTION_CORE=string keeps the previous engine (a string per line): the bench measures
// both in one binary, and it is a way out should the byte core misbehave somewhere.
function byteCoreWanted(): boolean {
  return process.env.ASSAY_PROJECTION_CORE !== "string";
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

// The input error for a lines input that is not UTF-8 text (`validate` refuses it alike).
function notTextError(input: string, received: NotTextError["received"]): ProjectionInputError {
  const file = input === "-" ? "<stdin>" : input;
  return inputError("INPUT_INVALID", file, "", "UTF-8 text, one path per line", received, `the file is not UTF-8 text${received === "a NUL byte" ? " (a NUL byte)" : ""}; expected one path per line`);
}

// Throws the byte core's refusals of text that is not UTF-8.
const REFUSE_INVALID = { onInvalidUtf8: (): never => { throw new NotTextError("bytes that are not UTF-8"); } };

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

function inputError(code: "RULES_INVALID" | "INPUT_INVALID", file: string, path: string, expected: string, received: string, message: string, cause?: unknown, member?: string): ProjectionInputError {
  const issue: Issue = { code, file, ...(member === undefined ? {} : { member }), path, expected, received, message };
  return new ProjectionInputError(code, [issue], cause === undefined ? undefined : { cause });
}

function describe(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && error.code === "ENOENT") return "no such file or directory";
  return error instanceof Error ? error.message : String(error);
}
