import type { PathProjection, PathProjectionSummary } from "../schema/index.ts";
import { feedFileRange, feedStream, fileSize, lineStartAfter, NotTextError, READ_CHUNK, type LineTarget } from "./_line-feeder.ts";
import { ByteClassifier } from "./byte-classifier.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { LineTally } from "./line-tally.ts";
import { projectLineBytes } from "./project-line-bytes.ts";
import type { LineInputOptions, LineSource, RecordSink } from "./project-lines.ts";
import type { TallyReply, TallyRequest } from "./tally-line-part.ts";

// The byte core's side of `project`'s lines input, loaded only when an input is large enough for it
// (its tables and the .wasm are start-up a 10-path file need not pay). Each function returns
// undefined (or false) when the byte core cannot hold the rules; the caller then takes the string engine.

/** The summary from the byte core, counted in constant memory (a large file split over two cores). */
export async function summarizeByBytes(source: LineSource, compiled: CompiledRules, options: LineInputOptions): Promise<PathProjectionSummary | undefined> {
  const tally = LineTally.create(compiled, REFUSE_INVALID);
  if (tally === undefined) return undefined;
  await tallyLines(source, compiled, tally, options);
  return tally.summary();
}

/** Writes the ndjson records straight from the bytes; false when the byte core cannot hold the rules. */
export async function streamByBytes(source: LineSource, compiled: CompiledRules, sink: RecordSink): Promise<boolean> {
  const classifier = ByteClassifier.create(compiled, REFUSE_INVALID);
  if (classifier === undefined) return false;
  // The sink copies each chunk (the core reuses its buffer).
  const ndjson = { bytes: (chunk: Uint8Array) => sink.writeBytes(chunk), text: (records: string) => sink.writeBytes(Buffer.from(records)) };
  await feed(source, { input: (size) => classifier.input(size), add: (from, to, final) => classifier.ndjsonRange(from, to, final, ndjson) });
  return true;
}

/**
 * The json document from the byte core, the whole input held as bytes (no string per line);
 * undefined when the byte core cannot hold the rules.
 */
export async function projectByBytes(source: LineSource, compiled: CompiledRules): Promise<PathProjection | undefined> {
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

// --- internal ---

// Throws the byte core's refusals of text that is not UTF-8.
const REFUSE_INVALID = {
  onInvalidUtf8: (): never => {
    throw new NotTextError("bytes that are not UTF-8");
  },
};

function feed(source: LineSource, target: LineTarget): Promise<void> {
  return "file" in source ? feedFileRange(source.file, 0, fileSize(source.file), target) : feedStream(source.open(), target);
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
