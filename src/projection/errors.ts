import { formatIssue, type Issue } from "../schema/index.ts";

/** Codes of projection errors. */
export type ProjectionErrorCode = "RULES_INVALID" | "INPUT_INVALID";

/** Rules or input that cannot be projected; nothing was written. */
export class ProjectionInputError extends Error {
  override readonly name = "ProjectionInputError";
  readonly exitCode = 2;
  constructor(
    readonly code: ProjectionErrorCode,
    readonly issues: readonly Issue[],
    options?: ErrorOptions,
  ) {
    super(issues.map(formatIssue).join("\n"), options);
  }
}
