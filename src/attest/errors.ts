/** Machine codes of errors thrown by the attest module. */
export type AttestErrorCode =
  | "ARCHIVE_NOT_ATTESTABLE"
  | "ARCHIVE_UNREADABLE"
  | "KEY_UNREADABLE"
  | "KEY_UNSUPPORTED"
  | "ATTESTATION_UNREADABLE"
  | "STATEMENT_TOO_LARGE";

/** Input that cannot be attested or verified at all (a missing file, a bad key, not JSON): exit 2. */
export class AttestInputError extends Error {
  override readonly name = "AttestInputError";
  readonly exitCode = 2;
  constructor(
    readonly code: AttestErrorCode,
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
