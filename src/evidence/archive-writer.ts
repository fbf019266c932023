import { mkdtempSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { replaceAtomically, writeAll, writeAllSync } from "./atomic-file.ts";
import { ArchiveWriteError, ArchiveWriterStateError } from "./errors.ts";
import { GZIP_HEADER, gzipTrailer } from "./gzip-frame.ts";
import { deflateSingleBlock, ParallelDeflater } from "./parallel-deflate.ts";
import { buildManifestJson, type MemberDigest } from "./manifest.ts";
import { TAR_BLOCK, TAR_END, tarHeader, tarPadding } from "./tar-header.ts";
import { contentIssues } from "./content-checks.ts";
import { ARCHIVE_MEMBERS, isNdjsonMember, MANIFESTED_MEMBERS, type JsonMemberName, type ManifestedMemberName, type NdjsonMemberName } from "./member-names.ts";
import { CHUNK, FileStore, MemoryStore, type MemberContent, type MemberStore } from "./member-store.ts";
import { formatIssue } from "../schema/index.ts";

export type { MemberContent } from "./member-store.ts";

/** Where and for which run an archive is written. */
export interface ArchiveWriterOptions {
  /** Final `.tar.gz` path; it appears only after a successful commit (atomic rename). */
  readonly outputPath: string;
  /** The run id every member carries; must be non-empty ASCII `[A-Za-z0-9_-]`. */
  readonly runId: string;
  /** Directory for the member spool (default: the OS temporary directory); a private subdirectory is created there. */
  readonly spoolDir?: string;
}

/** One member's content so far, as the manifest will record it. */
export interface SpooledMember {
  readonly name: ManifestedMemberName;
  readonly bytes: number;
  /** `sha256:` + 64 lowercase hex digits over the exact bytes written so far. */
  readonly sha256: string;
}

/** What a successful commit wrote. */
export interface CommittedArchive {
  readonly outputPath: string;
  /** The exact `manifest.json` bytes. */
  readonly manifest: Uint8Array;
  /** The archive identity: `sha256:` + hex SHA-256 of the manifest bytes (§1.5). */
  readonly manifestDigest: string;
  /** The seven manifested members in archive order. */
  readonly members: readonly MemberDigest[];
  /** Length of the uncompressed tar stream. */
  readonly tarBytes: number;
}

/**
 * Streaming writer of one evidence archive (upstream format v0, §1): NDJSON members are spooled
 * to disk and hashed while they are appended, JSON members are held in memory, and `commit`
 * streams manifest + members through tar and raw deflate into a temporary file that is fsynced and
 * renamed onto `outputPath`. Memory stays bounded whatever the size of a layer. Disposal without a
 * commit (including during one) removes the spool and the temporary file, so no partial archive remains.
 *
 * @example
 * await using writer = await ArchiveWriter.create({ outputPath: "run.tar.gz", runId: "run_001" });
 * writer.append("layers/kernel.ndjson", `${canonicalJson(row)}\n`);
 * writer.set("observation-health.json", canonicalJson(health));
 * const { manifestDigest } = await writer.commit();
 */
export class ArchiveWriter implements AsyncDisposable {
  /**
   * How this process's temporary archive beside `outputPath` is named before the rename: the name
   * starts with this and ends `<time>.partial` (what a guardian removes if the process dies).
   */
  static temporaryPrefix(outputPath: string): string {
    return `.${basename(outputPath)}.${process.pid}-`;
  }

  /** Creates a writer and its private spool directory. */
  static async create(options: ArchiveWriterOptions): Promise<ArchiveWriter> {
    if (!SAFE_RUN_ID.test(options.runId)) {
      throw new ArchiveWriterStateError(options.outputPath, `run id ${JSON.stringify(options.runId)} must be non-empty ASCII letters, digits, '_' or '-'`);
    }
    let spool: string;
    try {
      // Synchronous: one mkdir is cheaper than a thread-pool round trip.
      spool = mkdtempSync(join(options.spoolDir ?? process.getBuiltinModule("node:os").tmpdir(), "assay-spool-"));
    } catch (cause) {
      throw new ArchiveWriteError(options.outputPath, `cannot create spool directory: ${describe(cause)}`, { cause });
    }
    return new ArchiveWriter(options.outputPath, options.runId, spool);
  }

  readonly outputPath: string;
  readonly runId: string;
  private readonly spoolPath: string;
  private readonly entries = new Map<ManifestedMemberName, MemberStore>();
  private state: "open" | "committing" | "committed" | "failed" | "disposed" = "open";
  private commitAbort: AbortController | undefined;
  private commitDone: Promise<unknown> | undefined;
  private spoolSerial = 0;

  private constructor(outputPath: string, runId: string, spoolPath: string) {
    this.outputPath = outputPath;
    this.runId = runId;
    this.spoolPath = spoolPath;
    for (const name of MANIFESTED_MEMBERS) {
      this.entries.set(name, isNdjsonMember(name) ? new FileStore(this.nextSpoolFile(name)) : new MemoryStore());
    }
  }

  /** Appends bytes (normally whole `…\n` rows) to an NDJSON member; buffered, written to the spool synchronously in large chunks. */
  append(member: NdjsonMemberName, content: MemberContent): void {
    const store = this.storeFor(member, "append to");
    if (!(store instanceof FileStore)) throw this.stateError(`${member} is not an NDJSON member`);
    this.guardWrite(() => store.append(content));
  }

  /** Replaces a member's whole content (the JSON members; also usable for a small NDJSON member). */
  set(member: ManifestedMemberName, content: MemberContent): void {
    const current = this.storeFor(member, "set");
    // A copy: the caller may reuse its buffer before the commit reads it.
    const bytes = typeof content === "string" ? ENCODER.encode(content) : content.slice();
    if (current instanceof FileStore) current.discard();
    this.entries.set(member, new MemoryStore(bytes));
  }

  /**
   * Replaces a member's content with a stream, which may be derived from `readSpooled` of the same
   * member (the old bytes stay readable until the new ones are complete), e.g. a redaction rewrite.
   */
  async replaceFrom(member: ManifestedMemberName, source: AsyncIterable<MemberContent> | Iterable<MemberContent>): Promise<void> {
    const old = this.storeFor(member, "replace");
    const next = new FileStore(this.nextSpoolFile(member));
    try {
      for await (const chunk of source) this.guardWrite(() => next.append(chunk));
      this.guardWrite(() => next.flush());
    } catch (error) {
      next.discard();
      throw error;
    }
    if (this.entries.get(member) !== old) {
      next.discard();
      throw this.stateError(`${member} changed while it was being replaced`);
    }
    if (old instanceof FileStore) old.discard();
    this.entries.set(member, next);
  }

  /** Lists the seven manifested members with their current length and digest, in archive order. */
  members(): SpooledMember[] {
    return MANIFESTED_MEMBERS.map((name) => {
      const store = this.entries.get(name)!;
      this.guardWrite(() => store.flush());
      return { name, bytes: store.size, sha256: `sha256:${store.digestHex()}` };
    });
  }

  /** Streams a member's exact current bytes (what the archive will contain), e.g. for the fail-closed redaction sweep. */
  async *readSpooled(member: ManifestedMemberName): AsyncGenerator<Uint8Array, void, undefined> {
    const store = this.storeFor(member, "read");
    this.guardWrite(() => store.flush());
    yield* store.read();
  }

  /**
   * Writes the archive: checks the JSON members (§1.6: run ids equal, schemas, no failed cgroup
   * correlation), then manifest first and the other seven in byte order, tar → deflate → temporary
   * file → fsync → rename. Throws ArchiveWriteError naming the output path when the file cannot be written.
   */
  async commit(): Promise<CommittedArchive> {
    if (this.state !== "open") throw this.stateError(`cannot commit a writer that is ${this.state}`);
    this.state = "committing";
    this.commitAbort = new AbortController();
    const attempt = this.writeArchive(this.commitAbort.signal);
    this.commitDone = attempt.catch(() => undefined);
    try {
      const committed = await attempt;
      this.state = "committed";
      await this.removeSpool();
      return committed;
    } catch (error) {
      this.state = "failed";
      throw error;
    }
  }

  /** Abandons an uncommitted archive (stopping a commit in progress) and removes the spool and any temporary file. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.state === "committing") {
      this.commitAbort?.abort(new Error("archive writer disposed during commit"));
      await this.commitDone;
    }
    if (this.state !== "committed") this.state = "disposed";
    await this.removeSpool();
  }

  // --- internal ---

  private async writeArchive(signal: AbortSignal): Promise<CommittedArchive> {
    const digests: MemberDigest[] = [];
    for (const name of MANIFESTED_MEMBERS) {
      const store = this.entries.get(name)!;
      this.guardWrite(() => store.flush());
      digests.push({ path: name, sha256: `sha256:${store.digestHex()}`, bytes: store.size });
    }
    this.checkContent();
    const manifest = ENCODER.encode(buildManifestJson(this.runId, digests));
    const manifestDigest = `sha256:${new Bun.CryptoHasher("sha256").update(manifest).digest("hex")}`;

    const temporary = join(dirname(this.outputPath), `${ArchiveWriter.temporaryPrefix(this.outputPath)}${Date.now().toString(36)}.partial`);
    const tarLength = ARCHIVE_MEMBERS.reduce((sum, name) => {
      const size = name === "manifest.json" ? manifest.length : this.entries.get(name)!.size;
      return sum + TAR_BLOCK + size + tarPadding(size);
    }, TAR_END.length);
    if (tarLength <= SMALL_TAR) {
      await this.writeSmallArchive(temporary, manifest, tarLength, signal);
      return { outputPath: this.outputPath, manifest, manifestDigest, members: digests, tarBytes: tarLength };
    }
    let tarBytes = 0;
    let crc = 0;
    const stores = this.entries;
    // One read buffer for the whole commit: each chunk is hashed and copied before the next read.
    const readBuffer = Buffer.allocUnsafe(CHUNK);
    async function* tarStream(): AsyncGenerator<Uint8Array> {
      for (const name of ARCHIVE_MEMBERS) {
        const store = name === "manifest.json" ? new MemoryStore(manifest) : stores.get(name)!;
        yield tarHeader(name, store.size);
        let seen = 0;
        for await (const chunk of store.read(readBuffer)) {
          seen += chunk.length;
          yield chunk;
        }
        if (seen !== store.size) throw new Error(`spooled member ${name} changed size (${store.size} → ${seen} bytes)`);
        const padding = tarPadding(store.size);
        if (padding > 0) yield new Uint8Array(padding);
      }
      yield TAR_END;
    }

    try {
      await replaceAtomically(
        temporary,
        this.outputPath,
        async (fd) => {
          const sink = async (bytes: Uint8Array) => {
            signal.throwIfAborted();
            await writeAll(fd, bytes);
          };
          await sink(GZIP_HEADER);
          const deflater = new ParallelDeflater(sink);
          // Loaded here, not at import: commands that only read archives do without node:zlib.
          const { crc32 } = process.getBuiltinModule("node:zlib");
          for await (const chunk of tarStream()) {
            signal.throwIfAborted();
            crc = crc32(chunk, crc);
            tarBytes += chunk.length;
            await deflater.write(chunk);
          }
          await deflater.end();
          await sink(gzipTrailer(crc, tarBytes));
        },
        signal,
      );
    } catch (cause) {
      throw new ArchiveWriteError(this.outputPath, describe(cause), { cause });
    }
    return { outputPath: this.outputPath, manifest, manifestDigest, members: digests, tarBytes };
  }

  // A small archive (every run without much kernel activity) is built in memory and written with
  // synchronous calls: the same bytes as the streaming path (one deflate block), without a promise
  // and a thread-pool round trip per chunk.
  private async writeSmallArchive(temporary: string, manifest: Uint8Array, tarLength: number, signal: AbortSignal): Promise<void> {
    const tar = new Uint8Array(tarLength);
    let at = 0;
    for (const name of ARCHIVE_MEMBERS) {
      const store = name === "manifest.json" ? new MemoryStore(manifest) : this.entries.get(name)!;
      tar.set(tarHeader(name, store.size), at);
      at += TAR_BLOCK;
      let seen = 0;
      for await (const chunk of store.read()) {
        if (seen + chunk.length > store.size) break;
        tar.set(chunk, at + seen);
        seen += chunk.length;
      }
      if (seen !== store.size) throw new ArchiveWriteError(this.outputPath, `spooled member ${name} changed size (${store.size} → ${seen} bytes)`);
      at += store.size + tarPadding(store.size);
    }
    signal.throwIfAborted();
    const body = deflateSingleBlock(tar);
    const gzip = new Uint8Array(GZIP_HEADER.length + body.length + 8);
    gzip.set(GZIP_HEADER, 0);
    gzip.set(body, GZIP_HEADER.length);
    gzip.set(gzipTrailer(process.getBuiltinModule("node:zlib").crc32(tar), tarLength), GZIP_HEADER.length + body.length);
    try {
      await replaceAtomically(temporary, this.outputPath, (fd) => writeAllSync(fd, gzip), signal);
    } catch (cause) {
      throw new ArchiveWriteError(this.outputPath, describe(cause), { cause });
    }
  }

  private checkContent(): void {
    const documents: Partial<Record<JsonMemberName, Uint8Array>> = {};
    for (const name of JSON_MEMBERS) {
      const store = this.entries.get(name)!;
      if (!(store instanceof MemoryStore) || store.size === 0) throw this.stateError(`${name} was never set; every JSON member is required`);
      documents[name] = store.content;
    }
    const issues = contentIssues(this.outputPath, this.runId, documents);
    if (issues.length > 0) throw this.stateError(`refusing to write inconsistent members:\n${issues.map(formatIssue).join("\n")}`);
  }

  private storeFor(member: ManifestedMemberName, action: string): MemberStore {
    if (this.state !== "open") throw this.stateError(`cannot ${action} ${member}: the writer is ${this.state}`);
    const store = this.entries.get(member);
    if (store === undefined) throw this.stateError(`${JSON.stringify(member)} is not an archive member one can write`);
    return store;
  }

  private guardWrite(write: () => void): void {
    try {
      write();
    } catch (cause) {
      if (cause instanceof ArchiveWriterStateError) throw cause;
      throw new ArchiveWriteError(this.outputPath, `spool write failed: ${describe(cause)}`, { cause });
    }
  }

  private nextSpoolFile(member: ManifestedMemberName): string {
    this.spoolSerial++;
    return join(this.spoolPath, `${this.spoolSerial}-${member.replaceAll("/", "_")}`);
  }

  private stateError(message: string): ArchiveWriterStateError {
    return new ArchiveWriterStateError(this.outputPath, message);
  }

  private async removeSpool(): Promise<void> {
    for (const store of this.entries.values()) if (store instanceof FileStore) store.close();
    // Synchronous: the spool is a handful of files (none for a small run), not worth a round trip.
    rmSync(this.spoolPath, { recursive: true, force: true });
  }
}

// --- internal ---

const ENCODER = new TextEncoder();
const SAFE_RUN_ID = /^[A-Za-z0-9_-]+$/;
// Tar streams up to this size take the in-memory commit (within one 4 MiB deflate block).
const SMALL_TAR = 1 << 20;
const JSON_MEMBERS = MANIFESTED_MEMBERS.filter((name) => !isNdjsonMember(name)) as JsonMemberName[];

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
