/** Machine codes of the errors redaction throws at its edge. */
export type RedactionErrorCode = "REDACTION_KEY_NOT_FOUND" | "REDACTION_KEY_MALFORMED" | "REDACTION_KEY_UNAVAILABLE" | "UNREDACTED_SECRET";

/** A redaction key file that is missing, malformed, or cannot be created anywhere (spec §3.3). */
export class RedactionKeyError extends Error {
  override readonly name = "RedactionKeyError";
  /** 2 for a named file that is missing or malformed; 40 when this host offers no writable key location. */
  readonly exitCode: 2 | 40;
  constructor(
    readonly code: Exclude<RedactionErrorCode, "UNREDACTED_SECRET">,
    /** The key file the problem is about. */
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.exitCode = code === "REDACTION_KEY_UNAVAILABLE" ? 40 : 2;
  }
}

/**
 * The fail-closed sweep found a secret-shaped value after redaction; no archive is written.
 * Exit 2 ("no archive is written", ARCHITECTURE): it is usually caused by input the runner does
 * not rewrite, such as a secret-shaped `tool_call_id` in the correlation report (spec §5 15).
 */
export class UnredactedSecretError extends Error {
  override readonly name = "UnredactedSecretError";
  readonly code = "UNREDACTED_SECRET";
  readonly exitCode = 2;
  constructor(
    /** The rule that matched. */
    readonly rule: string,
    /** The archive member it matched in. */
    readonly member: string,
    /** 1-based line of the first hit. */
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}
