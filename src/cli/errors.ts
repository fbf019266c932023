/** Codes of usage errors raised by the command line layer. */
export type UsageErrorCode = "UNKNOWN_COMMAND" | "UNKNOWN_FLAG" | "BAD_ARGUMENT" | "MISSING_ARGUMENT";

/** A command line that cannot be acted on; nothing was done. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
  constructor(
    readonly code: UsageErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An output file that could not be written (no such directory, no space, no permission); nothing was left in its place. */
export class OutputFileError extends Error {
  override readonly name = "OutputFileError";
  readonly code = "OUTPUT_UNWRITABLE";
  readonly exitCode = 2;
}
