import type { Issue, PathProjection, PathProjectionSummary } from "../schema/index.ts";
import { fileSize, NotTextError } from "./_line-feeder.ts";
import { forEachLine } from "./_line-reader.ts";
import { classifyPath } from "./classify-path.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { ProjectionInputError } from "./errors.ts";
import { PathTally } from "./path-tally.ts";
import { projectPaths } from "./project-paths.ts";

// `project`'s lines input: one path per line from a file or a stream, read in constant memory
// (json excepted: its document is sorted, so it holds every line). Lines go straight into the byte
// core as bytes, except in a small file: there the string engine (a string per line) finishes
// before the byte core's tables are laid out. A line input that is not UTF-8 text is refused with
// a ProjectionInputError, as `validate` refuses it.

/** Where the lines come from: a file (read by ranges, so a large one can be split over two cores), or a byte stream such as stdin. */
export type LineSource = { readonly file: string } | { readonly name: string; readonly open: () => AsyncIterable<Uint8Array> };

/** How to read a line input; the caller decides from its host and environment. */
export interface LineInputOptions {
  /**
   * The file size from which the byte core is used (0: always; Infinity: never, the string engine
   * with a string per line). A stream's size is not known: it takes the byte core unless Infinity.
   */
  readonly byteCoreMinBytes: number;
  /** The file size from which a summary counts the second half on another core. */
  readonly parallelMinBytes: number;
  /** Starts the worker that counts a part of a file (it answers `TallyRequest` with `TallyReply`). */
  readonly startWorker: () => Worker;
}

/** Where ndjson records go: text, or bytes valid only during the call (copied or written at once). */
export interface RecordSink {
  write(text: string): void;
  writeBytes(bytes: Uint8Array): void;
}

/** The path projection document (`--format json`) of one path per line. */
export async function projectLinePaths(source: LineSource, compiled: CompiledRules, options: LineInputOptions): Promise<PathProjection> {
  return refuseNotText(source, async () => {
    const document = usesByteCore(source, options) ? await (await import("./_byte-lines.ts")).projectByBytes(source, compiled) : undefined;
    if (document !== undefined) return document;
    const all: string[] = [];
    await forEachLine(readable(source), (line) => void all.push(line));
    return projectPaths(all, compiled);
  });
}

/** The summary (`--format summary`) of one path per line: counts and samples, in constant memory. */
export async function summarizeLinePaths(source: LineSource, compiled: CompiledRules, options: LineInputOptions): Promise<PathProjectionSummary> {
  return refuseNotText(source, async () => {
    const summary = usesByteCore(source, options) ? await (await import("./_byte-lines.ts")).summarizeByBytes(source, compiled, options) : undefined;
    if (summary !== undefined) return summary;
    const tally = new PathTally(compiled);
    await forEachLine(readable(source), (line) => void tally.add(line));
    return tally.summary();
  });
}

/** Writes one classification record per line (`--format ndjson`) to `sink`, in constant memory. */
export async function streamLineRecords(source: LineSource, compiled: CompiledRules, sink: RecordSink, options: LineInputOptions): Promise<void> {
  return refuseNotText(source, async () => {
    if (usesByteCore(source, options) && (await (await import("./_byte-lines.ts")).streamByBytes(source, compiled, sink))) return;
    let pending = "";
    await forEachLine(readable(source), (line) => {
      pending += `${JSON.stringify(classifyPath(line, compiled))}\n`;
      if (pending.length >= FLUSH_AT) {
        sink.write(pending);
        pending = "";
      }
    });
    sink.write(pending);
  });
}

// --- internal ---

const FLUSH_AT = 1 << 20;

function usesByteCore(source: LineSource, options: LineInputOptions): boolean {
  const min = options.byteCoreMinBytes;
  if (min === 0 || min === Number.POSITIVE_INFINITY) return min === 0;
  return !("file" in source) || fileSize(source.file) >= min;
}

function readable(source: LineSource): string | (() => AsyncIterable<Uint8Array>) {
  return "file" in source ? source.file : source.open;
}

// Runs `read`, turning a NotTextError into the input error `validate` would give.
async function refuseNotText<T>(source: LineSource, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof NotTextError)) throw error;
    const file = "file" in source ? source.file : source.name;
    const issue: Issue = {
      code: "INPUT_INVALID",
      file,
      path: "",
      expected: "UTF-8 text, one path per line",
      received: error.received,
      message: `the file is not UTF-8 text${error.received === "a NUL byte" ? " (a NUL byte)" : ""}; expected one path per line`,
    };
    throw new ProjectionInputError("INPUT_INVALID", [issue]);
  }
}
