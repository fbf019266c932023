import { accessSync, closeSync, constants, fchmodSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { writeWhole } from "./_std-streams.ts";
import { OutputFileError } from "./errors.ts";

/**
 * An output file written whole or not at all: the text goes to a temporary file beside it, renamed
 * into place on `commit`. A failed write (a full disk), `abandon`, SIGINT or SIGTERM remove the
 * temporary file, so no truncated output is ever left where a reader expects a whole one.
 * A symbolic link is followed (the file it names is replaced, the link stays) and the replaced
 * file's permissions are kept. Anything but a regular file (a device, a pipe, a dangling link) and
 * every name under /dev and /proc (/dev/stdout) is written in place: renaming onto those would
 * replace the device node or the link itself. A directory is never created: a missing one is
 * refused like any other place that cannot be written (see `checkOutputFile`). Failures throw
 * `OutputFileError` (exit 2) naming `flag`, the file and the reason.
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
    const placement = placementOf(file);
    this.target = placement.target;
    const refused = refusalOf(file, placement);
    if (refused !== undefined) throw new OutputFileError(`${flag}: cannot write ${file}: ${refused}`);
    try {
      if (placement.inPlace) {
        this.fd = standardStreamOf(file) ?? openSync(placement.target, "w");
      } else {
        this.temporary = `${placement.target}.partial-${process.pid}`;
        this.fd = openSync(this.temporary, "wx");
        if (placement.mode !== undefined) fchmodSync(this.fd, placement.mode);
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

  /** Appends bytes (after the text buffered so far); on failure the temporary file is already gone when this throws. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.writeAll(bytes);
  }

  /** Puts the written text in place of `file`. */
  commit(): void {
    this.flush();
    try {
      if (this.fd! > 2) closeSync(this.fd!);
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
    if (this.fd !== undefined && this.fd > 2) {
      try {
        closeSync(this.fd);
      } catch {}
      this.fd = undefined;
    }
    if (this.temporary !== undefined) rmSync(this.temporary, { force: true });
    this.release();
  }

  private flush(): void {
    if (this.pending === "") return;
    const bytes = Buffer.from(this.pending);
    this.pending = "";
    this.writeAll(bytes);
  }

  private writeAll(bytes: Uint8Array): void {
    try {
      writeWhole(this.fd!, bytes);
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

interface Placement {
  // Written directly, without a temporary file.
  readonly inPlace: boolean;
  // The file written: `file`, or the regular file its symbolic links name.
  readonly target: string;
  // Permissions of the regular file replaced.
  readonly mode?: number;
}

const SPECIAL_DIRECTORIES = ["/dev/", "/proc/"];

// How `file` is written: in place, or through a temporary file renamed onto `target`.
function placementOf(file: string): Placement {
  const special = (path: string) => !isAbsolute(path) || SPECIAL_DIRECTORIES.some((dir) => path.startsWith(dir));
  if (special(resolve(file))) return { inPlace: true, target: file };
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    // Absent: created. A dangling link: opened through, which creates the file it names.
    return { inPlace: isLink(file), target: file };
  }
  // A link to /proc/self/fd/N resolves to "pipe:[…]" or a /dev name.
  if (special(target)) return { inPlace: true, target: file };
  try {
    const stats = statSync(target);
    return stats.isFile() ? { inPlace: false, target, mode: stats.mode & 0o7777 } : { inPlace: true, target };
  } catch {
    return { inPlace: true, target };
  }
}

// Why `file` cannot be written, checked before any work: the one rule for every output flag of every
// command (an existing directory, a missing or non-directory parent, a directory where files cannot
// be created); undefined when it can.
function refusalOf(file: string, placement: Placement): string | undefined {
  if (placement.inPlace) {
    if (standardStreamOf(file) !== undefined || isLink(file)) return undefined;
    try {
      if (statSync(placement.target).isDirectory()) return "it is a directory";
      accessSync(placement.target, constants.W_OK);
      return undefined;
    } catch (error) {
      return reasonOf(error);
    }
  }
  const dir = dirname(resolve(placement.target));
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? `no such directory ${dir} (directories are not created)` : reasonOf(error);
  }
  // A real file, not access(2): root passes access() on a read-only mount or a directory without inodes left.
  const probe = join(dir, `.${basename(placement.target)}.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    unlinkSync(probe);
  } catch (error) {
    return `cannot create files in ${dir}: ${reasonOf(error)}`;
  }
  return undefined;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code !== undefined ? REASONS[code] : undefined;
  return reason !== undefined ? `${reason} (${code})` : error instanceof Error ? error.message : String(error);
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
};

// The descriptor `file` names when it is the process's own standard output or error: written
// directly, as a socket (what many supervisors hand a child) cannot be opened again by name.
function standardStreamOf(file: string): number | undefined {
  const named = /^\/(?:dev\/(?:std(out|err)|fd\/([12]))|proc\/self\/fd\/([12]))$/.exec(file);
  if (named === null) return undefined;
  return named[1] === "out" ? 1 : named[1] === "err" ? 2 : Number(named[2] ?? named[3]);
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

// Writes are gathered up to this many characters: one system call per MiB, not per record.
const FLUSH_AT = 1 << 20;

/**
 * Checks, before a command does its work, that `file` can be written under the one rule every
 * output flag follows; throws OutputFileError (exit 2) naming `flag`, the file and the reason.
 */
export function checkOutputFile(flag: string, file: string | undefined): void {
  if (file === undefined) return;
  const refused = refusalOf(file, placementOf(file));
  if (refused !== undefined) throw new OutputFileError(`${flag}: cannot write ${file}: ${refused}`);
}

/** Writes `text` to `file` whole or not at all (see `OutputFile`). */
export function writeOutputFile(flag: string, file: string, text: string): void {
  const output = new OutputFile(flag, file);
  output.write(text);
  output.commit();
}
