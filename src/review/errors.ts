/** Machine codes of errors the review module throws at its edges. */
export type ReviewErrorCode = "REVIEW_INPUT_INVALID";

/** Where a review input problem is: the file, the archive member, the field. */
export interface ReviewErrorPlace {
  readonly file: string;
  readonly member?: string | undefined;
  readonly field?: string | undefined;
}

/** An archive, baseline or rules file that cannot be reviewed (exit 2); nothing was written. */
export class ReviewInputError extends Error {
  override readonly name = "ReviewInputError";
  readonly code: ReviewErrorCode = "REVIEW_INPUT_INVALID";
  readonly exitCode = 2;
  readonly file: string;
  readonly member: string | undefined;
  readonly field: string | undefined;
  constructor(message: string, place: ReviewErrorPlace, options?: ErrorOptions) {
    super(message, options);
    this.file = place.file;
    this.member = place.member;
    this.field = place.field;
  }
}
