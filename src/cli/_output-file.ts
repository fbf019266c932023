import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { OutputFileError } from "./errors.ts";

/**
 * An output file written whole or not at all: the text goes to a temporary file beside it, renamed
 * into place on `commit`. A failed write (a full disk), `abandon`, SIGINT or SIGTERM remove the
 * temporary file, so no truncated output is ever left where a reader expects a whole one.
 * Opening and writing failures throw `OutputFileError` (exit 2) naming `flag`, the file and the reason.
 */
export class OutputFile {
  private readonly temporary: string;
  private fd: number | undefined;
  private pending = "";
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.abandon();
    // The conventional status of a process a signal stopped.
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  };

  constructor(
    readonly flag: string,
    readonly file: string,
  ) {
    this.temporary = `${file}.partial-${process.pid}`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      this.fd = openSync(this.temporary, "wx");
    } catch (error) {
      throw this.failure(error);
    }
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  /** Appends `text` (buffered); on failure the temporary file is already gone when this throws. */
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  /** Puts the written text in place of `file`. */
  commit(): void {
    this.flush();
    try {
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(this.temporary, this.file);
    } catch (error) {
      this.abandon();
      throw this.failure(error);
    } finally {
      this.release();
    }
  }

  /** Removes the temporary file; `file` stays as it was. Safe to call more than once. */
  abandon(): void {
    this.pending = "";
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {}
      this.fd = undefined;
    }
    rmSync(this.temporary, { force: true });
    this.release();
  }

  private flush(): void {
    const bytes = Buffer.from(this.pending);
    this.pending = "";
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done);
    } catch (error) {
      this.abandon();
      throw this.failure(error);
    }
  }

  private release(): void {
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
  }

  private failure(error: unknown): OutputFileError {
    const reason = error instanceof Error ? error.message : String(error);
    return new OutputFileError(`${this.flag}: cannot write ${this.file}: ${reason}`, { cause: error });
  }
}

// Writes are gathered up to this many characters: one system call per MiB, not per record.
const FLUSH_AT = 1 << 20;

/** Writes `text` to `file` whole or not at all (see `OutputFile`). */
export function writeOutputFile(flag: string, file: string, text: string): void {
  const output = new OutputFile(flag, file);
  output.write(text);
  output.commit();
}
