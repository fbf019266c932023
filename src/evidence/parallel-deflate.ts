import type { ZlibOptions } from "node:zlib";

/** Receives compressed bytes in stream order; awaited, so a slow sink holds the producer back. */
export type ByteSink = (bytes: Uint8Array) => Promise<void>;

/**
 * Raw deflate (level 9) of a byte stream, compressed in independent blocks on the zlib thread
 * pool and emitted in order, like pigz: each block is primed with the previous 32 KiB as a preset
 * dictionary and ends on a byte-aligned sync flush, so the concatenation is one valid deflate
 * stream. Memory stays bounded by (concurrency + 1) blocks. The output bytes differ from a
 * single-threaded deflate; only the inflated bytes (our tar stream) are normative.
 */
export class ParallelDeflater {
  private block: Buffer;
  private fill = 0;
  private previousTail: Buffer | undefined;
  private readonly inFlight: { job: Promise<Buffer>; input: Buffer }[] = [];
  // Input blocks are recycled once their job's output is written, so a long stream allocates no
  // new multi-megabyte buffers (the garbage collector lags behind external memory).
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly sink: ByteSink,
    private readonly blockSize = DEFAULT_BLOCK,
    private readonly concurrency = Math.max(1, Math.min(4, process.getBuiltinModule("node:os").availableParallelism())),
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  /** Adds bytes to compress; resolves once they are buffered or handed to a compression job. */
  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.blockSize - this.fill, chunk.length - offset);
      this.block.set(chunk.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      if (this.fill === this.blockSize) await this.dispatch();
    }
  }

  /** Compresses what is left, emits every block in order, then the final empty block. */
  async end(): Promise<void> {
    if (this.fill > 0) await this.dispatch();
    while (this.inFlight.length > 0) await this.emitOldest();
    await this.sink(FINAL_BLOCK);
  }

  // --- internal ---

  private async dispatch(): Promise<void> {
    const input = this.block.subarray(0, this.fill);
    const options: ZlibOptions = { level: 9, finishFlush: zlib().constants.Z_SYNC_FLUSH };
    if (this.previousTail !== undefined) options.dictionary = this.previousTail;
    const job = compress(input, options);
    // Hint: a job abandoned by an aborted commit must not surface as an unhandled rejection.
    job.catch(() => undefined);
    this.inFlight.push({ job, input: this.block });
    // The next block's dictionary is a copy: this block's buffer is recycled after its job.
    this.previousTail = Buffer.from(input.subarray(Math.max(0, input.length - WINDOW)));
    this.block = this.spare.pop() ?? Buffer.allocUnsafe(this.blockSize);
    this.fill = 0;
    if (this.inFlight.length >= this.concurrency) await this.emitOldest();
  }

  private async emitOldest(): Promise<void> {
    const { job, input } = this.inFlight.shift()!;
    const output = await job;
    this.spare.push(input);
    await this.sink(output);
  }
}

/**
 * The bytes a ParallelDeflater emits for an input of at most one block (4 MiB), computed
 * synchronously in one call: no thread-pool round trips for a small archive.
 */
export function deflateSingleBlock(input: Uint8Array): Uint8Array {
  if (input.length > DEFAULT_BLOCK) throw new RangeError(`deflateSingleBlock takes at most ${DEFAULT_BLOCK} bytes, got ${input.length}`);
  if (input.length === 0) return FINAL_BLOCK.slice();
  const body = zlib().deflateRawSync(input, { level: 9, finishFlush: zlib().constants.Z_SYNC_FLUSH });
  const out = new Uint8Array(body.length + FINAL_BLOCK.length);
  out.set(body, 0);
  out.set(FINAL_BLOCK, body.length);
  return out;
}

// --- internal ---

const DEFAULT_BLOCK = 4 * 2 ** 20;
const WINDOW = 32 * 1024;
// An empty final block (BFINAL=1, fixed Huffman, end-of-block), what deflateRawSync of no input
// gives; a literal, so loading this module starts no zlib stream (tested against zlib).
const FINAL_BLOCK: Uint8Array = Uint8Array.of(0x03, 0x00);

function compress(input: Uint8Array, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib().deflateRaw(input, options, (error, output) => (error ? reject(error) : resolve(output)));
  });
}

// node:zlib when the first archive is compressed, not when evidence is imported: it brings Node's
// stream machinery (~3 ms of start-up), which the commands that only read archives do without.
function zlib(): typeof import("node:zlib") {
  return process.getBuiltinModule("node:zlib");
}
