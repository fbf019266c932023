import { closeSync, fchmodSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import { OutputFileError } from "./errors.ts";

/**
 * An output file written whole or not at all: the text goes to a temporary file beside it, renamed
 * into place on `commit`. A failed write (a full disk), `abandon`, SIGINT or SIGTERM remove the
 * temporary file, so no truncated output is ever left where a reader expects a whole one.
 * A symbolic link is followed (the file it names is replaced, the link stays) and the replaced
 * file's permissions are kept; a device, pipe or socket (/dev/stdout, a FIFO) is written in place,
 * as there is nothing to rename onto it. Failures throw `OutputFileError` (exit 2) naming `flag`,
 * the file and the reason.
 */
export class OutputFile {
  // The file written: `file`, or the file its symbolic links name.
  private readonly target: string;
  // Undefined when writing in place.
  private readonly temporary: string | undefined;
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
    const [target, existing] = resolveTarget(file);
    this.target = target;
    try {
      if (existing !== undefined && !existing.isFile()) {
        this.fd = openSync(target, "w");
      } else {
        mkdirSync(dirname(target), { recursive: true });
        this.temporary = `${target}.partial-${process.pid}`;
        this.fd = openSync(this.temporary, "wx");
        if (existing !== undefined) fchmodSync(this.fd, existing.mode & 0o7777);
      }
    } catch (error) {
      if (this.temporary !== undefined) rmSync(this.temporary, { force: true });
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
      if (this.temporary !== undefined) renameSync(this.temporary, this.target);
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
    if (this.temporary !== undefined) rmSync(this.temporary, { force: true });
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

// The file `file` names (through symbolic links) and its status, or `file` itself when absent.
function resolveTarget(file: string): [string, Stats | undefined] {
  try {
    const target = realpathSync(file);
    return [target, statSync(target)];
  } catch {
    return [file, undefined];
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
