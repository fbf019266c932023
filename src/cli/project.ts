import { readFileSync, statSync } from "node:fs";
import * as v from "valibot";
import {
  parseRules,
  ProjectionInputError,
  projectLinePaths,
  streamLineRecords,
  summarizeLinePaths,
  type CompiledRules,
  type LineInputOptions,
  type LineSource,
} from "../projection/index.ts";
import { parseArgsWith } from "./_args.ts";
import { checkOutputFile } from "./_output-file.ts";
import { inputError, describe, openSink, type InputKind, type ProjectFormat, type Sink } from "./_project-io.ts";
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
  // --quiet asks for errors only, which is all project ever writes to stderr: nothing to set.
  if (options.json && options.format === "ndjson")
    throw new UsageError("BAD_ARGUMENT", "--json prints one document; --format ndjson prints one per line: use one of them");
  checkOutputFile("--output", options.output);
  const compiled = loadRules(options.rules);
  const sink = openSink(options.output);
  try {
    const kind = inputKind(options.input);
    if (kind === "lines") await projectLines(options.input, compiled, options.format, sink);
    else {
      // The archive reader and the document schemas load only for a surface: a paths file starts sooner.
      const { projectSurfaceInput } = await import("./_project-surface.ts");
      await projectSurfaceInput(options.input, kind, compiled, options.format, sink);
    }
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

/** Projects one path per line (a file, or stdin for `-`); ndjson and summary stream, json needs the whole set (it is sorted). */
async function projectLines(input: string, compiled: CompiledRules, format: ProjectFormat, sink: Sink): Promise<void> {
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
    byteCoreMinBytes: byteCoreMin(),
    // A getter: the load check costs start-up, and only a large file asks for it.
    get parallelMinBytes() {
      return parallelMin();
    },
    startWorker: () => new Worker(workerUrl()),
  };
}

// Below this size the string engine is done before the byte core's tables are laid out (~10 ms of
// cold start-up for 1,000 rules; the two meet near 10,000 paths, 640 KiB: see README).
const BYTE_CORE_MIN = 256 << 10;

// ASSAY_PROJECTION_CORE=string keeps the string engine whatever the size, =byte the byte core: the
// bench and the tests compare the two in one binary, and either is a way out should the other
// misbehave somewhere.
function byteCoreMin(): number {
  const chosen = process.env.ASSAY_PROJECTION_CORE;
  return chosen === "string" ? Number.POSITIVE_INFINITY : chosen === "byte" ? 0 : BYTE_CORE_MIN;
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
  // node:os loads here, not at start-up: a small input never gets this far.
  const os = process.getBuiltinModule("node:os");
  const cores = os.availableParallelism();
  return cores >= 2 && os.loadavg()[0]! < cores - 0.5 ? PARALLEL_MIN : Number.POSITIVE_INFINITY;
}
