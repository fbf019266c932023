import { closeSync, createReadStream, openSync, writeSync } from "node:fs";

// Where the archive writer keeps each member until the commit: JSON members in memory, NDJSON
// members spooled to a file once they outgrow a chunk.

/** Anything a member's bytes can be given as. */
export type MemberContent = Uint8Array | string;

/** The size of a spool write and of a commit read. */
export const CHUNK = 1 << 20;
const DIRECT_WRITE = 64 * 1024;

export type MemberStore = MemoryStore | FileStore;

export class MemoryStore {
  constructor(readonly content: Uint8Array = new Uint8Array(0)) {}
  get size(): number {
    return this.content.length;
  }
  flush(): void {}
  digestHex(): string {
    return new Bun.CryptoHasher("sha256").update(this.content).digest("hex");
  }
  async *read(_reuse?: Buffer): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < this.content.length; offset += CHUNK) yield this.content.subarray(offset, offset + CHUNK);
  }
}

// Appends are collected and written with writeSync once a chunk's worth is pending: callers append
// many small rows, and one synchronous write per megabyte is cheaper than a promise per row while
// keeping memory bounded by the chunk size.
export class FileStore {
  private fd: number | undefined;
  private readonly hasher = new Bun.CryptoHasher("sha256");
  private pending: MemberContent[] = [];
  private pendingLength = 0;
  private written = 0;
  private created = false;
  constructor(readonly path: string) {}

  get size(): number {
    return this.written + this.pendingLength;
  }

  append(content: MemberContent): void {
    if (content.length === 0) return;
    if (typeof content !== "string" && content.length >= DIRECT_WRITE) {
      // Large pieces skip the pending list: one copy fewer.
      this.spill();
      this.writeBlock(content);
      return;
    }
    // Strings are encoded now; byte pieces are copied, as the caller may reuse its buffer.
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content.slice();
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
    if (this.pendingLength >= CHUNK) this.spill();
  }

  /** Makes the bytes so far readable and hashable: a member that never reached a chunk stays in memory, no spool file. */
  flush(): void {
    if (this.pendingLength === 0 || this.written === 0) return;
    this.spill();
  }

  private spill(): void {
    if (this.pendingLength === 0) return;
    const block = this.pending.length === 1 ? (this.pending[0] as Uint8Array) : Buffer.concat(this.pending as Uint8Array[], this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    this.writeBlock(block);
  }

  private writeBlock(block: Uint8Array): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, "wx", 0o600);
      this.created = true;
    }
    for (let offset = 0; offset < block.length; ) offset += writeSync(this.fd, block, offset);
    this.hasher.update(block);
    this.written += block.length;
  }

  digestHex(): string {
    const hasher = this.hasher.copy();
    for (const piece of this.pending) hasher.update(piece);
    return hasher.digest("hex");
  }

  /** Streams the spooled bytes; with `reuse`, every chunk is a view of that buffer, valid until the next one is requested. */
  async *read(reuse?: Buffer): AsyncGenerator<Uint8Array> {
    if (this.written === 0) {
      // Still in memory (under one chunk): a small run's members never touch the spool.
      if (this.pendingLength === 0) return;
      if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending as Uint8Array[], this.pendingLength)];
      yield this.pending[0] as Uint8Array;
      return;
    }
    this.spill();
    if (reuse === undefined) {
      for await (const chunk of createReadStream(this.path, { highWaterMark: CHUNK, end: this.written - 1 })) yield chunk as Uint8Array;
      return;
    }
    // node:fs/promises when a spool is read back, not at import (~0.6 ms of every start-up).
    const handle = await process.getBuiltinModule("node:fs/promises").open(this.path, "r");
    try {
      for (let position = 0; position < this.written; ) {
        const { bytesRead } = await handle.read(reuse, 0, Math.min(reuse.length, this.written - position), position);
        if (bytesRead === 0) break;
        position += bytesRead;
        yield reuse.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  discard(): void {
    this.close();
    this.pending = [];
    this.pendingLength = 0;
    // A member that stayed in memory never had a file.
    if (this.created)
      void process
        .getBuiltinModule("node:fs/promises")
        .unlink(this.path)
        .catch(() => undefined);
  }
}
