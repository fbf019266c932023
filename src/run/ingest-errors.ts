import { formatIssue, type Issue } from "../schema/index.ts";

/** A policy or SDK log was rejected; nothing is archived (exit 2). Carries the issue that stopped ingest. */
export class IngestLogError extends Error {
  override readonly name = "IngestLogError";
  readonly exitCode = 2;
  readonly code: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string;
  constructor(readonly issues: readonly [Issue, ...Issue[]]) {
    super(issues[0].message);
    this.code = issues[0].code;
    this.file = issues[0].file;
    this.line = issues[0].line;
    this.field = issues[0].path;
  }

  /** The issues rendered one per line with the shared formatter. */
  describe(): string {
    return this.issues.map(formatIssue).join("\n");
  }
}
