import { checkLayerRow, validateMember, type Document, type Issue, type KernelEvent, type LayerRow } from "../schema/index.ts";
import { JsonSyntaxError } from "./errors.ts";
import type { MemberName } from "./member-names.ts";
import type { NdjsonLine } from "./ndjson-lines.ts";
import { parseJson } from "./parse-json.ts";

/** What verification has found out about one member so far. */
export interface MemberResult {
  readonly name: MemberName;
  bytes: number;
  sha256: string;
  rows: number;
  /** Single-document members: the exact bytes (when within the size cap). */
  content?: Uint8Array;
  /** Whether every row / the document was valid on its own. */
  valid: boolean;
  documents: Document[];
  /** NDJSON members: run id and line of the first valid row. */
  firstRunId?: string;
  firstLine?: number;
}

/** Where a row checker reports: the verification of the whole archive. */
export interface RowIssueSink {
  readonly file: string;
  /** Records an issue about this archive (capped per member). */
  issue(fields: Omit<Issue, "file" | "path"> & { path?: string }): void;
  /** Records an issue from the schema module (same cap). */
  push(issue: Issue): void;
  /** Keeps one kernel row per distinct kind and value, for the cross-member checks. */
  keepKernelRow(row: KernelEvent): void;
}

// Validates NDJSON rows as they stream past: UTF-8, JSON, schema, seq order, one run id per layer.
export class RowChecker {
  private first: LayerRow | undefined;
  private reportedRunId = false;
  private readonly keepsRows: boolean;
  private readonly where: { readonly file: string; readonly member: string };

  constructor(
    private readonly verification: RowIssueSink,
    private readonly result: MemberResult,
  ) {
    // Small layers keep their rows for the cross-member checks; the kernel layer is reduced to distinct values.
    this.keepsRows = result.name !== "layers/kernel.ndjson";
    this.where = { file: verification.file, member: result.name };
  }

  onLine(line: NdjsonLine): void {
    const member = this.result.name;
    if (line.overlong) {
      this.result.rows++;
      this.fail({
        code: "LINE_TOO_LONG",
        member,
        line: line.line,
        expected: "a line of at most the line limit",
        received: `${line.length} bytes`,
        message: `line ${line.line} of ${member} is ${line.length} bytes long, over the limit; not parsed`,
      });
      return;
    }
    let text: string;
    try {
      text = DECODER.decode(line.bytes);
    } catch {
      this.result.rows++;
      this.fail({
        code: "INVALID_UTF8",
        member,
        line: line.line,
        expected: "UTF-8 text",
        received: "invalid UTF-8",
        message: `line ${line.line} of ${member} is not valid UTF-8`,
      });
      return;
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") return;
    const index = this.result.rows++;
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      this.fail({
        code: "JSON_SYNTAX",
        member,
        line: line.line,
        expected: "one JSON value per line",
        received: "text that is not JSON",
        message: `line ${line.line} of ${member} is not JSON: ${error.message}`,
      });
      return;
    }
    const validated = validateMember(member, value, { file: this.verification.file, member, line: line.line });
    if (!validated.ok) {
      this.result.valid = false;
      for (const issue of validated.issues) this.verification.push(issue);
      return;
    }
    const row = validated.value as Document & { run_id: string; seq: number | bigint };
    const layerRow = { line: line.line, value: row };
    this.first ??= layerRow;
    for (const issue of checkLayerRow(layerRow, index, this.first, this.where)) {
      // A wrong run id is usually wrong on every row from there on: report the first only.
      if (issue.code === "RUN_ID_MISMATCH" && this.reportedRunId) continue;
      if (issue.code === "RUN_ID_MISMATCH") this.reportedRunId = true;
      this.result.valid = false;
      this.verification.push(issue);
    }
    if (this.keepsRows) this.result.documents.push(row);
    else {
      if (this.result.documents.length === 0) this.result.documents.push(row);
      this.verification.keepKernelRow(row as KernelEvent);
    }
  }

  end(): void {
    if (this.first === undefined) return;
    this.result.firstRunId = this.first.value.run_id;
    this.result.firstLine = this.first.line;
  }

  private fail(fields: Omit<Issue, "file" | "path"> & { path?: string }): void {
    this.result.valid = false;
    this.verification.issue(fields);
  }
}

// --- internal ---

const DECODER = new TextDecoder("utf-8", { fatal: true });
