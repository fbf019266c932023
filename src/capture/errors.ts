/** Why a capture backend could not do its work. */
export type CaptureErrorCode = "CAPTURE_UNAVAILABLE" | "CAPTURE_ATTACH_FAILED" | "CAPTURE_TARGET_MISSING";

/** The host cannot capture as asked (exit 40: nothing ran, or the capture could not be armed). */
export class CaptureHostError extends Error {
  override readonly name = "CaptureHostError";
  readonly exitCode = 40;
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
