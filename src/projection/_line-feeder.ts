import { closeSync, openSync, readSync, statSync } from "node:fs";

// Private to projection: the byte reader of `project`'s lines input (no string per line).

/** What a feeder fills: a byte buffer, and the consumer of its complete lines (a `LineTally`, or an ndjson writer). */
export interface LineTarget {
  /** The buffer, at least `size` bytes, contents kept; valid until the next call. */
  input(size: number): Uint8Array;
  /** Takes the complete lines of `[from, to)` (all when `final`); returns where the unconsumed tail starts. */
  add(from: number, to: number, final: boolean): number;
}

/** Bytes read per call: large enough that the per-read costs vanish, small enough to stay in cache. */
export const READ_CHUNK = 1 << 20;
const YIELD_EVERY_READS = 16;
const NEWLINE = 10;

/** Thrown when the input is not UTF-8 text (`received` says what was found); turned into a ProjectionInputError at the edge. */
export class NotTextError extends Error {
  override readonly name = "NotTextError";

  constructor(readonly received: "a NUL byte" | "bytes that are not UTF-8") {
    super(`not UTF-8 text: ${received}`);
  }
}

/**
 * Feeds raw bytes to a line target (straight into the byte core's buffer: no string per line), carrying
 * the unfinished last line from one write to the next. A UTF-8 byte order mark at the very start is
 * skipped, as the string reader's decoder did.
 */
export class LineFeeder {
  private filled = 0;
  private atStart: boolean;

  constructor(
    private readonly tally: LineTarget,
    skipByteOrderMark: boolean,
  ) {
    this.atStart = skipByteOrderMark;
  }

  /** Where to write up to `max` new bytes: the buffer and the offset in it. */
  space(max: number): { readonly buffer: Uint8Array; readonly offset: number } {
    return { buffer: this.tally.input(this.filled + max), offset: this.filled };
  }

  /** Counts the lines completed by the `n` bytes just written at `space().offset`; a NUL byte (no path holds one) is refused. */
  wrote(n: number): void {
    if (
      this.tally
        .input(this.filled + n)
        .subarray(this.filled, this.filled + n)
        .indexOf(0) >= 0
    )
      throw new NotTextError("a NUL byte");
    this.filled += n;
    if (this.atStart && this.filled >= 3) this.skipByteOrderMark();
    if (this.atStart) return;
    const consumed = this.tally.add(0, this.filled, false);
    if (consumed > 0) {
      this.tally.input(this.filled).copyWithin(0, consumed, this.filled);
      this.filled -= consumed;
    }
  }

  /** Counts the last line (one without a newline). */
  end(): void {
    if (this.atStart) this.skipByteOrderMark();
    this.tally.add(0, this.filled, true);
    this.filled = 0;
  }

  private skipByteOrderMark(): void {
    this.atStart = false;
    const buffer = this.tally.input(this.filled);
    if (this.filled >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
      buffer.copyWithin(0, 3, this.filled);
      this.filled -= 3;
    }
  }
}

/** Feeds the lines of bytes `[from, to)` of `file` (both on line starts or the file's ends) to `tally`. */
export async function feedFileRange(file: string, from: number, to: number, tally: LineTarget): Promise<void> {
  const fd = openSync(file, "r");
  try {
    const feeder = new LineFeeder(tally, from === 0);
    let reads = 0;
    for (let position = from; position < to; ) {
      const { buffer, offset } = feeder.space(READ_CHUNK);
      const n = readSync(fd, buffer, offset, Math.min(READ_CHUNK, to - position), position);
      if (n === 0) break;
      position += n;
      feeder.wrote(n);
      // Let the event loop run now and then, so SIGINT and SIGTERM are served mid-input.
      if (++reads % YIELD_EVERY_READS === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    feeder.end();
  } finally {
    closeSync(fd);
  }
}

/** Feeds the lines of a byte stream (stdin) to `tally`. */
export async function feedStream(stream: AsyncIterable<Uint8Array>, tally: LineTarget): Promise<void> {
  const feeder = new LineFeeder(tally, true);
  for await (const chunk of stream) {
    const { buffer, offset } = feeder.space(chunk.length);
    buffer.set(chunk, offset);
    feeder.wrote(chunk.length);
  }
  feeder.end();
}

/** The first line start at or after `at` in `file` (`size` when none is left). */
export function lineStartAfter(file: string, at: number, size: number): number {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 16);
    for (let position = at; position < size; ) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) break;
      const newline = buffer.subarray(0, n).indexOf(NEWLINE);
      if (newline >= 0) return position + newline + 1;
      position += n;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

/** The size of `file` in bytes. */
export function fileSize(file: string): number {
  return statSync(file).size;
}
