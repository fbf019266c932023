import type { Issue, PathProjection, PathProjectionSummary } from "../schema/index.ts";
import { feedFileRange, feedStream, fileSize, lineStartAfter, NotTextError, READ_CHUNK, type LineTarget } from "./_line-feeder.ts";
import { forEachLine } from "./_line-reader.ts";
import { ByteClassifier } from "./byte-classifier.ts";
import { classifyPath } from "./classify-path.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { ProjectionInputError } from "./errors.ts";
import { LineTally } from "./line-tally.ts";
import { PathTally } from "./path-tally.ts";
import { projectLineBytes } from "./project-line-bytes.ts";
import { projectPaths } from "./project-paths.ts";
import type { TallyReply, TallyRequest } from "./tally-line-part.ts";

// `project`'s lines input: one path per line from a file or a stream, read in constant memory
// (json excepted: its document is sorted, so it holds every line). Lines go straight into the byte
// core as bytes; `byteCore: false` keeps the string engine (a string per line). A line input that
// is not UTF-8 text is refused with a ProjectionInputError, as `validate` refuses it.

/** Where the lines come from: a file (read by ranges, so a large one can be split over two cores), or a byte stream such as stdin. */
export type LineSource = { readonly file: string } | { readonly name: string; readonly open: () => AsyncIterable<Uint8Array> };

/** How to read a line input; the caller decides from its host and environment. */
export interface LineInputOptions {
  /** Whether to use the byte core (false: the string engine, a string per line). */
  readonly byteCore: boolean;
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
    const document = options.byteCore ? await projectByBytes(source, compiled) : undefined;
    if (document !== undefined) return document;
    const all: string[] = [];
    await forEachLine(readable(source), (line) => void all.push(line));
    return projectPaths(all, compiled);
  });
}

/** The summary (`--format summary`) of one path per line: counts and samples, in constant memory. */
export async function summarizeLinePaths(source: LineSource, compiled: CompiledRules, options: LineInputOptions): Promise<PathProjectionSummary> {
  return refuseNotText(source, async () => {
    const lineTally = options.byteCore ? LineTally.create(compiled, REFUSE_INVALID) : undefined;
    if (lineTally !== undefined) {
      await tallyLines(source, compiled, lineTally, options);
      return lineTally.summary();
    }
    const tally = new PathTally(compiled);
    await forEachLine(readable(source), (line) => void tally.add(line));
    return tally.summary();
  });
}

/** Writes one classification record per line (`--format ndjson`) to `sink`, in constant memory. */
export async function streamLineRecords(source: LineSource, compiled: CompiledRules, sink: RecordSink, options: LineInputOptions): Promise<void> {
  return refuseNotText(source, async () => {
    const classifier = options.byteCore ? ByteClassifier.create(compiled, REFUSE_INVALID) : undefined;
    if (classifier !== undefined) {
      // Records are written from the bytes; the sink copies each chunk (the core reuses its buffer).
      const ndjson = { bytes: (chunk: Uint8Array) => sink.writeBytes(chunk), text: (records: string) => sink.writeBytes(Buffer.from(records)) };
      return feed(source, { input: (size) => classifier.input(size), add: (from, to, final) => classifier.ndjsonRange(from, to, final, ndjson) });
    }
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

// Throws the byte core's refusals of text that is not UTF-8.
const REFUSE_INVALID = {
  onInvalidUtf8: (): never => {
    throw new NotTextError("bytes that are not UTF-8");
  },
};

function readable(source: LineSource): string | (() => AsyncIterable<Uint8Array>) {
  return "file" in source ? source.file : source.open;
}

function feed(source: LineSource, target: LineTarget): Promise<void> {
  return "file" in source ? feedFileRange(source.file, 0, fileSize(source.file), target) : feedStream(source.open(), target);
}

/**
 * The json document from the byte core, the whole input held as bytes (no string per line);
 * undefined when the byte core cannot hold the rules.
 */
async function projectByBytes(source: LineSource, compiled: CompiledRules): Promise<PathProjection | undefined> {
  const classifier = ByteClassifier.create(compiled);
  if (classifier === undefined) return undefined;
  let length = 0;
  // Nothing is consumed before the end: the lines stay in the buffer, which grows to hold them all.
  const target: LineTarget = {
    input: (size) => classifier.input(size),
    add: (from, to, final) => {
      if (final) length = to;
      return from;
    },
  };
  if ("file" in source) {
    const size = fileSize(source.file);
    // The input, and the rows and sort keys of at most one line per 16 bytes (28 bytes a line).
    classifier.reserve(size + READ_CHUNK + Math.ceil(size / 16) * 28 + (1 << 20));
    classifier.input(size + READ_CHUNK);
    await feedFileRange(source.file, 0, size, target);
  } else await feedStream(source.open(), target);
  // It declines only when a line is not UTF-8.
  const document = projectLineBytes(classifier, length);
  if (document === undefined) throw new NotTextError("bytes that are not UTF-8");
  return document;
}

/**
 * Counts the lines with the byte core. A file of at least `parallelMinBytes` is split at a line
 * boundary and its second half counted by a worker on the other core; the counts merge into the
 * same summary as one core's (sums, and the smallest samples of both).
 */
async function tallyLines(source: LineSource, compiled: CompiledRules, tally: LineTally, options: LineInputOptions): Promise<void> {
  if (!("file" in source)) return feedStream(source.open(), tally);
  const { file } = source;
  const size = fileSize(file);
  const split = size >= options.parallelMinBytes ? lineStartAfter(file, Math.floor(size / 2), size) : size;
  if (split >= size) return feedFileRange(file, 0, size, tally);
  let worker: Worker;
  try {
    worker = options.startWorker();
  } catch {
    return feedFileRange(file, 0, size, tally);
  }
  try {
    // Handled at once: a worker that fails early must not leave an unhandled rejection behind.
    const reply = new Promise<TallyReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<TallyReply>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(`projection worker failed: ${event.message}`));
    }).catch((error: unknown): TallyReply => ({ ok: false, message: String(error) }));
    worker.postMessage({ file, from: split, to: size, rules: compiled.rules } satisfies TallyRequest);
    await feedFileRange(file, 0, split, tally);
    const counts = await reply;
    if (counts.ok) tally.merge(counts.counts);
    else if (counts.notText !== undefined) throw new NotTextError(counts.notText);
    // A worker that could not run (its entry missing from a build, a host without threads) costs
    // speed, not the answer: this thread counts the second half too.
    else await feedFileRange(file, split, size, tally);
  } finally {
    worker.terminate();
  }
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
