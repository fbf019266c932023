/** One NDJSON line as the splitter hands it over: its bytes (without `\n`), or `overlong` when it exceeded the cap. */
export type NdjsonLine =
  | { readonly line: number; readonly bytes: Uint8Array; readonly overlong: false }
  | { readonly line: number; readonly length: number; readonly overlong: true };

/**
 * Splits a byte stream into `\n`-terminated lines in bounded memory: a line longer than
 * `maxLineBytes` is not kept, only reported as overlong with its length.
 */
export class NdjsonLineSplitter {
  private pieces: Uint8Array[] = [];
  private pending = 0;
  private line = 1;
  private overlongLength = -1;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: NdjsonLine) => void,
  ) {}

  /** Feeds the next chunk of the member. */
  write(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      if (this.pending === 0 && this.overlongLength < 0 && newline - start <= this.maxLineBytes) {
        // Hint: the common case hands over a view of the chunk; onLine runs before write() returns.
        this.onLine({ line: this.line++, bytes: chunk.subarray(start, newline), overlong: false });
      } else {
        this.keep(chunk.subarray(start, newline));
        this.emit();
      }
      start = newline + 1;
    }
  }

  /** Ends the member; a last line without `\n` is still handed over. */
  end(): void {
    if (this.pending > 0 || this.overlongLength >= 0) this.emit();
  }

  // --- internal ---

  private keep(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.overlongLength >= 0) {
      this.overlongLength += part.length;
      return;
    }
    if (this.pending + part.length > this.maxLineBytes) {
      this.overlongLength = this.pending + part.length;
      this.pieces = [];
      this.pending = 0;
      return;
    }
    // Copy: the chunk's buffer may be reused by the reader once write() returns.
    this.pieces.push(part.slice());
    this.pending += part.length;
  }

  private emit(): void {
    const line = this.line++;
    if (this.overlongLength >= 0) {
      this.onLine({ line, length: this.overlongLength, overlong: true });
      this.overlongLength = -1;
      return;
    }
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : concat(this.pieces, this.pending);
    this.pieces = [];
    this.pending = 0;
    this.onLine({ line, bytes, overlong: false });
  }
}

// --- internal ---

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
