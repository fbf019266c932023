/** Machine codes of errors thrown by the evidence module. */
export type EvidenceErrorCode = "JSON_SYNTAX" | "JSON_UNREPRESENTABLE" | "ARCHIVE_UNWRITABLE" | "ARCHIVE_WRITER_STATE" | "ARCHIVE_UNREADABLE";

/** Text that is not JSON; `offset`, `line` and `column` point at the first offending character. */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
  readonly code = "JSON_SYNTAX";
  readonly exitCode = 2;
  constructor(
    message: string,
    /** 0-based UTF-16 offset into the parsed text. */
    readonly offset: number,
    /** 1-based line. */
    readonly line: number,
    /** 1-based column (UTF-16 units). */
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
  }
}

/** A value canonicalJson cannot print without losing or inventing information (a caller bug). */
export class JsonUnrepresentableError extends Error {
  override readonly name = "JsonUnrepresentableError";
  readonly code = "JSON_UNREPRESENTABLE";
  readonly exitCode = 70;
  constructor(
    message: string,
    /** Dot path of the offending value, empty for the root. */
    readonly path: string,
  ) {
    super(path === "" ? message : `${path}: ${message}`);
  }
}

/** The archive could not be written to `file` (permissions, full disk, missing directory…). */
export class ArchiveWriteError extends Error {
  override readonly name = "ArchiveWriteError";
  readonly code = "ARCHIVE_UNWRITABLE";
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`cannot write archive ${file}: ${message}`, options);
  }
}

/** The archive writer was used out of order (append after commit, unknown member…): a caller bug. */
export class ArchiveWriterStateError extends Error {
  override readonly name = "ArchiveWriterStateError";
  readonly code = "ARCHIVE_WRITER_STATE";
  readonly exitCode = 70;
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`archive ${file}: ${message}`);
  }
}

/** The archive (or directory) could not be read at all: missing, not a file, permission denied. */
export class ArchiveReadError extends Error {
  override readonly name = "ArchiveReadError";
  readonly code = "ARCHIVE_UNREADABLE";
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`cannot read archive ${file}: ${message}`, options);
  }
}

/** A cause as one line: its message, led by its errno code when the message lacks it. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code !== undefined && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
