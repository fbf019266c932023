import type { ZlibOptions } from "node:zlib";

/** A gzip file's deflate body inflated in one piece, and where the gzip trailer after it starts. */
export interface InflatedBody {
  readonly output: Buffer;
  readonly trailerAt: number;
}

/**
 * Inflates the deflate body after a `headerLength`-byte gzip header in one piece, within `cap`
 * bytes (`declared`, the trailer's size, sizes the output buffer). Undefined when it cannot be
 * done in one piece exactly: the caller then streams the file, which diagnoses what is wrong.
 */
export function inflateBody(bytes: Buffer<ArrayBuffer>, headerLength: number, cap: number, declared: number): InflatedBody | undefined {
  const inflated = bytes.length <= TINY_FILE ? inflateTiny(bytes, headerLength) : inflateWhole(bytes, headerLength, cap, declared);
  return inflated === undefined || inflated.output.length > cap ? undefined : inflated;
}

// --- internal ---

// Deflate expands at most 1032-fold: a gzip file this small inflates to at most ~16 MiB, whatever
// its trailer says.
const TINY_FILE = 16 * 1024;

// node:zlib's one-shot inflate, bounded by `cap`; undefined when it fails or the output passes it.
function inflateWhole(bytes: Buffer, headerLength: number, cap: number, declared: number): InflatedBody | undefined {
  const { inflateRawSync } = process.getBuiltinModule("node:zlib");
  try {
    const options = { info: true, maxOutputLength: cap, chunkSize: Math.max(declared + 1, 64) };
    const inflated = inflateRawSync(bytes.subarray(headerLength), options as ZlibOptions) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { output: inflated.buffer, trailerAt: headerLength + inflated.engine.bytesWritten };
  } catch {
    return undefined;
  }
}

// A tiny file inflates with Bun's own inflate: node:zlib brings Node's stream machinery, ~3 ms of
// the start-up of a command that reads one small archive. Bun's does not say how much input the
// deflate stream took, so it is used only when the stream ends exactly before the last 8 bytes:
// the body up to them inflates, one byte less does not. Anything else (data after the stream, a
// corrupt or truncated stream) returns undefined.
function inflateTiny(bytes: Buffer<ArrayBuffer>, headerLength: number): InflatedBody | undefined {
  const trailerAt = bytes.length - 8;
  let output: Uint8Array;
  try {
    output = Bun.inflateSync(bytes.subarray(headerLength, trailerAt));
  } catch {
    return undefined;
  }
  try {
    Bun.inflateSync(bytes.subarray(headerLength, trailerAt - 1));
    return undefined;
  } catch {
    return { output: Buffer.from(output.buffer, output.byteOffset, output.length), trailerAt };
  }
}
