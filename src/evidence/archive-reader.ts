import { closeSync, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
// node:fs/promises is taken at first use (process.getBuiltinModule): loading it costs every
// command that imports evidence ~0.6 ms of start-up, and a small archive is read without it.
import type { FileHandle } from "node:fs/promises";
import { fail, type Issue, ok, type Result } from "../schema/index.ts";
import { readDirectory } from "./archive-directory.ts";
import { ArchiveReadError, describeCause } from "./errors.ts";
import { gzipHeaderLength } from "./gzip-frame.ts";
import { inflateBody } from "./inflate-body.ts";
import { DEFAULT_READ_LIMITS, type MemberVisitor, type ReadLimits, TarParser } from "./tar-parser.ts";

export { DEFAULT_READ_LIMITS, type MemberSink, type MemberVisitor, type ReadLimits } from "./tar-parser.ts";

/** Whether an archive was a `.tar.gz` file or an extracted directory. */
export type ArchiveKind = "tar.gz" | "directory";

/** What a streaming read found about the container itself (members are reported to the visitor). */
export interface ArchiveReadOutcome {
  readonly kind: ArchiveKind;
  /** Structural problems: gzip/tar corruption, unsafe or duplicate names, links, limits. */
  readonly issues: readonly Issue[];
}

/** Members of a small archive, held in memory. */
export interface LoadedArchive {
  readonly path: string;
  readonly kind: ArchiveKind;
  /** Member name → exact bytes, in the order read. */
  readonly members: ReadonlyMap<string, Uint8Array>;
}

/** Default bounds for loadArchive, which holds every member in memory. */
export const DEFAULT_LOAD_LIMITS: ReadLimits = { maxMembers: 64, maxMemberBytes: 256 * 2 ** 20, maxTotalBytes: 512 * 2 ** 20 };

/**
 * Streams the members of a `.tar.gz` archive or an extracted archive directory to `visit`, within
 * `limits` and in constant memory. Throws ArchiveReadError only when the path cannot be read at
 * all; corruption and unsafe content come back as issues.
 */
export async function readArchive(
  path: string,
  visit: MemberVisitor,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
  options: ReadOptions = {},
): Promise<ArchiveReadOutcome> {
  let info: Stats;
  try {
    // Hint: synchronous, as is the read of a small file below: the first asynchronous fs call
    // starts a thread pool, ~1 ms of the start-up of a command that reads one small archive.
    info = statSync(path);
  } catch (cause) {
    throw new ArchiveReadError(path, describeCause(cause), { cause });
  }
  if (info.isDirectory()) return { kind: "directory", issues: await readDirectory(path, visit, limits) };
  if (!info.isFile()) throw new ArchiveReadError(path, "not a regular file or directory");
  const inMemoryBytes = options.inMemoryBytes ?? SMALL_OUTPUT_CAP;
  const small = info.size <= smallFileBytes(inMemoryBytes) ? readSmallFile(path, visit, limits, inMemoryBytes) : undefined;
  return { kind: "tar.gz", issues: small ?? (await readTarGz(path, visit, limits)) };
}

/** How readArchive may trade memory for time. */
export interface ReadOptions {
  /**
   * Largest uncompressed size a small `.tar.gz` is inflated to in one piece (default 16 MiB);
   * a caller that keeps the members in memory anyway raises it. Members then reach the sinks as
   * views of that one buffer, which nothing reuses.
   */
  readonly inMemoryBytes?: number;
}

/** How forgiving loadArchive is about entries that are not regular files. */
export interface LoadOptions {
  /**
   * Skip directory entries, links and other non-regular entries instead of failing (compare
   * commands read archives packed by hand, e.g. `tar czf a.tar.gz manifest.json layers`, the way
   * upstream's tarfile reads them); verify never sets this.
   */
  readonly skipNonRegular?: boolean;
}

/** Reads a small archive's members into memory (for compare and projection); fails on structural problems. */
export async function loadArchive(path: string, limits: ReadLimits = DEFAULT_LOAD_LIMITS, options: LoadOptions = {}): Promise<Result<LoadedArchive>> {
  const members = new Map<string, Uint8Array>();
  const outcome = await readArchive(
    path,
    (name) => {
      // Grown from the data actually read, never from the declared size (which may lie).
      const chunks: Uint8Array[] = [];
      return {
        write(chunk) {
          chunks.push(chunk.slice());
        },
        end() {
          members.set(name, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        },
      };
    },
    limits,
  );
  const issues = options.skipNonRegular === true ? outcome.issues.filter((issue) => issue.code !== "MEMBER_NOT_REGULAR_FILE") : outcome.issues;
  const [first, ...rest] = issues;
  if (first !== undefined) return fail(first, ...rest);
  return ok({ path, kind: outcome.kind, members });
}

// --- internal ---

const CHUNK = 1 << 20;
const INFLATE_CHUNK = 256 * 1024;
const SMALL_ARCHIVE = 4 * 2 ** 20;
const SMALL_OUTPUT_CAP = 16 * 2 ** 20;

// The streaming path, in bounded memory: every large file, and a small one that readSmallFile could
// not settle (it is never inflated in one piece twice).
async function readTarGz(path: string, visit: MemberVisitor, limits: ReadLimits): Promise<Issue[]> {
  const issues: Issue[] = [];
  const problem = (code: string, expected: string, received: string, message: string) =>
    issues.push({ code, file: path, path: "", expected, received, message });
  let handle: FileHandle;
  try {
    handle = await process.getBuiltinModule("node:fs/promises").open(path, "r");
  } catch (cause) {
    throw new ArchiveReadError(path, describeCause(cause), { cause });
  }
  try {
    const fileSize = (await handle.stat()).size;
    const head = new Uint8Array(Math.min(fileSize, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    const headerLength = gzipHeaderLength(head);
    if (typeof headerLength === "string") return [notGzipIssue(path, headerLength)];
    const tar = new TarParser(path, visit, limits);
    const { total, crc, overLimit, inflateError, ended, bytesWritten } = await inflateInto(tar, handle, headerLength, fileSize, limits.maxTotalBytes);
    if (overLimit) {
      problem(
        "ARCHIVE_TOO_LARGE",
        `at most ${limits.maxTotalBytes} uncompressed bytes`,
        "more",
        `archive expands to more than ${limits.maxTotalBytes} bytes; refusing to read on (gzip bomb?)`,
      );
      return [...tar.issues, ...issues];
    }
    if (tar.stopped) return [...tar.issues];
    if (inflateError !== undefined) {
      const truncated = /unexpected end/i.test(inflateError.message);
      problem(
        truncated ? "GZIP_TRUNCATED" : "GZIP_UNDECODABLE",
        "a complete deflate stream",
        inflateError.message,
        truncated ? "gzip stream is truncated" : `gzip stream is corrupt: ${inflateError.message}`,
      );
      return [...tar.issues, ...issues];
    }
    if (!ended) {
      problem("GZIP_TRUNCATED", "a complete deflate stream", "end of file", "gzip stream is truncated");
      return [...tar.issues, ...issues];
    }
    // The deflate stream ended exactly `bytesWritten` bytes after the header; the 8-byte trailer follows.
    const trailerAt = headerLength + bytesWritten;
    const trailer = new Uint8Array(8);
    const { bytesRead } = await handle.read(trailer, 0, 8, trailerAt);
    if (bytesRead < 8) {
      problem("GZIP_TRUNCATED", "an 8-byte gzip trailer", `${bytesRead} bytes`, "gzip trailer (CRC-32, length) is truncated");
      return [...tar.issues, ...issues];
    }
    issues.push(...trailerIssues(path, trailer, crc, total, fileSize - trailerAt - 8));
    tar.finish();
    return [...tar.issues, ...issues];
  } finally {
    await handle.close();
  }
}

/** What streaming the deflate body through the tar parser came to. */
interface StreamedInflate {
  /** Uncompressed bytes fed to the parser, and their CRC-32 (for the trailer check). */
  readonly total: number;
  readonly crc: number;
  /** The output passed `maxTotalBytes` and the inflate was stopped. */
  readonly overLimit: boolean;
  readonly inflateError: Error | undefined;
  /** The deflate stream reached its end. */
  readonly ended: boolean;
  /** Compressed bytes the deflate stream took: the gzip trailer follows them. */
  readonly bytesWritten: number;
}

// Largest file read and inflated in one piece.
function smallFileBytes(inMemoryBytes: number): number {
  return Math.max(SMALL_ARCHIVE, inMemoryBytes / 4);
}

// readTarGz for a small file, read synchronously in one piece: the same issues, or undefined when
// only the streaming path can tell what is wrong (or the file grew since it was sized).
function readSmallFile(path: string, visit: MemberVisitor, limits: ReadLimits, inMemoryBytes: number): Issue[] | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    throw new ArchiveReadError(path, describeCause(cause), { cause });
  }
  let bytes: Buffer<ArrayBuffer>;
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize > smallFileBytes(inMemoryBytes)) return undefined;
    bytes = Buffer.allocUnsafe(fileSize);
    if (readSync(fd, bytes, 0, fileSize, 0) !== fileSize) return undefined;
  } finally {
    closeSync(fd);
  }
  const headerLength = gzipHeaderLength(bytes.subarray(0, 64 * 1024));
  if (typeof headerLength === "string") return [notGzipIssue(path, headerLength)];
  return readSmallTarGz(path, bytes, headerLength, visit, limits, inMemoryBytes);
}

// Streams the deflate body after the gzip header into `tar` in bounded memory, stopping early when
// the parser stops or the output passes `maxTotalBytes`.
async function inflateInto(tar: TarParser, handle: FileHandle, headerLength: number, fileSize: number, maxTotalBytes: number): Promise<StreamedInflate> {
  const { crc32, createInflateRaw } = process.getBuiltinModule("node:zlib");
  const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
  let total = 0;
  let crc = 0;
  let overLimit = false;
  let inflateError: Error | undefined;
  let ended = false;
  const finished = new Promise<void>((resolve) => {
    inflate.on("end", () => {
      ended = true;
      resolve();
    });
    inflate.on("error", (error) => {
      inflateError = error;
      resolve();
    });
    inflate.on("close", () => resolve());
  });
  inflate.on("data", (chunk: Buffer) => {
    if (overLimit || tar.stopped) return;
    total += chunk.length;
    if (total > maxTotalBytes) {
      overLimit = true;
      inflate.destroy();
      return;
    }
    crc = crc32(chunk, crc);
    tar.push(chunk);
    if (tar.stopped) inflate.destroy();
  });
  let position = headerLength;
  const buffer = Buffer.allocUnsafe(CHUNK);
  while (position < fileSize && !ended && !inflate.destroyed && inflateError === undefined) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, fileSize - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const copy = Buffer.from(buffer.subarray(0, bytesRead));
    if (!inflate.write(copy)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          inflate.off("drain", done);
          resolve();
        };
        inflate.on("drain", done);
        void finished.then(done);
      });
    }
  }
  if (!inflate.destroyed && !ended) inflate.end();
  await finished;
  return { total, crc, overLimit, inflateError, ended, bytesWritten: inflate.bytesWritten };
}

// Typical archives are small: one synchronous inflate avoids the stream machinery (start-up time
// of `verify`). Anything unusual — an inflate error, more output than the cap — returns undefined
// and the caller takes the streaming path, which diagnoses it precisely in bounded memory.
function readSmallTarGz(
  path: string,
  bytes: Buffer<ArrayBuffer>,
  headerLength: number,
  visit: MemberVisitor,
  limits: ReadLimits,
  inMemoryBytes: number,
): Issue[] | undefined {
  const fileSize = bytes.length;
  const cap = Math.min(limits.maxTotalBytes, inMemoryBytes);
  // The trailer's size (mod 2^32, unchecked yet) sizes the output buffer: one allocation instead
  // of 16 KiB pieces joined at the end (a third of the time). A wrong size only costs pieces again.
  const declared = fileSize >= headerLength + 8 ? bytes.readUInt32LE(fileSize - 4) : 0;
  if (declared > cap) return undefined;
  const inflated = inflateBody(bytes, headerLength, cap, declared);
  if (inflated === undefined) return undefined;
  const { output, trailerAt } = inflated;
  if (trailerAt + 8 > fileSize) return undefined;
  const trailer = bytes.subarray(trailerAt, trailerAt + 8);
  const issues = trailerIssues(path, trailer, Bun.hash.crc32(output), output.length, fileSize - trailerAt - 8);
  const tar = new TarParser(path, visit, limits);
  tar.push(output);
  tar.finish();
  return [...tar.issues, ...issues];
}

function notGzipIssue(path: string, received: string): Issue {
  return { code: "GZIP_INVALID", file: path, path: "", expected: "a gzip file (1f 8b 08 …)", received, message: `not a gzip archive: ${received}` };
}

// The gzip trailer checked against the inflated data (its CRC-32 and length mod 2^32), and what follows it.
function trailerIssues(path: string, trailer: Uint8Array, crc: number, length: number, bytesAfter: number): Issue[] {
  const issues: Issue[] = [];
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  if (view.getUint32(0, true) !== crc >>> 0 || view.getUint32(4, true) !== length % 2 ** 32) {
    issues.push({
      code: "GZIP_CORRUPT",
      file: path,
      path: "",
      expected: "CRC-32 and length matching the data",
      received: "a different trailer",
      message: "gzip trailer does not match the decompressed data (CRC-32 or length)",
    });
  }
  if (bytesAfter > 0) {
    issues.push({
      code: "TRAILING_DATA",
      file: path,
      path: "",
      expected: "end of file after the gzip trailer",
      received: `${bytesAfter} more bytes`,
      message: "data follows the gzip stream (a second gzip member or garbage)",
    });
  }
  return issues;
}
