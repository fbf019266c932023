/** Machine codes of errors thrown at the edges of the compare module. */
export type CompareErrorCode = "COMPARE_INPUT_INVALID" | "DRIFT_ARCHIVE_UNREADABLE" | "DRIFT_CONFIG_INVALID" | "ANNOTATION_INPUT_INVALID";

/** Where a compare error points: the file, optional archive member and 1-based line, and the field. */
export interface CompareErrorPlace {
  readonly file?: string | undefined;
  readonly member?: string | undefined;
  readonly line?: number | undefined;
  readonly field?: string | undefined;
}

/** A diff input that is structurally unusable (upstream raises; exit 2). */
export class CompareInputError extends Error {
  override readonly name = "CompareInputError";
  readonly code = "COMPARE_INPUT_INVALID";
  readonly exitCode = 2;
  readonly file: string | undefined;
  readonly member: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(message: string, place: CompareErrorPlace = {}, options?: ErrorOptions) {
    super(message, options);
    this.file = place.file;
    this.member = place.member;
    this.line = place.line;
    this.field = place.field;
  }
}

/** A drift archive that cannot be read: missing manifest or surface, corrupt JSON or tar (upstream exit 3). */
export class DriftArchiveError extends Error {
  override readonly name = "DriftArchiveError";
  readonly code = "DRIFT_ARCHIVE_UNREADABLE";
  readonly exitCode = 3;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Bad drift configuration: alias syntax, duplicates, taxonomy class, CIDR, claim spec (upstream exit 2). */
export class DriftConfigError extends Error {
  override readonly name = "DriftConfigError";
  readonly code = "DRIFT_CONFIG_INVALID";
  readonly exitCode = 2;
  constructor(
    readonly flag: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${flag}: ${message}`, options);
  }
}

/** A document given to the coverage annotator that is not a runtime-drift v0.2 report (exit 2). */
export class AnnotationInputError extends Error {
  override readonly name = "AnnotationInputError";
  readonly code = "ANNOTATION_INPUT_INVALID";
  readonly exitCode = 2;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
