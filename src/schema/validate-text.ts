import { checkLayer, type LayerRow } from "./check-layer.ts";
import type { Issue } from "./issue.ts";
import { validateDocument, type Document, type Where } from "./validate-document.ts";
import { makeIssue } from "./_to-issues.ts";

/** What validating one file's text found. */
export interface TextValidation {
  /** One JSON document, or NDJSON rows (detected from the content, not the file name). */
  readonly format: "json" | "ndjson";
  /** The documents (NDJSON: non-empty lines) that were read. */
  readonly count: number;
  /** How many valid documents each schema string had, in first-seen order. */
  readonly schemas: Readonly<Record<string, number>>;
  /** Every valid document, in file order. */
  readonly documents: readonly Document[];
  /** Every problem, in file order; empty when the text is valid. */
  readonly issues: readonly Issue[];
}

/**
 * Validates the text of one file: a single JSON document (compact or pretty-printed) or NDJSON
 * rows (blank lines ignored, lines counted from 1 including blank ones, as upstream counts). NDJSON
 * rows must also share one schema and run id and count `seq` from 0. `parse` is the JSON parser
 * (lossless, so big integers stay exact); it throws on text that is not JSON.
 */
export function validateText(text: string, where: Omit<Where, "line">, parse: (text: string) => unknown): TextValidation {
  const whole = tryParse(parse, text);
  if (whole.ok) return summarize("json", [{ value: whole.value, line: undefined }], where);
  const lines = splitLines(text);
  if (lines.length === 0) return summarize("ndjson", [], where);
  const first = lines[0] as { text: string; line: number };
  if (lines.length === 1 || !tryParse(parse, first.text).ok) {
    const issue = makeIssue(where, "JSON_SYNTAX", "", "JSON text", "text that is not JSON", `not JSON: ${whole.message}`);
    return { format: "json", count: 0, schemas: {}, documents: [], issues: [issue] };
  }
  return summarize(
    "ndjson",
    lines.map((l) => ({ text: l.text, line: l.line })),
    where,
    parse,
  );
}

// --- internal ---

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };
type Entry = { value: unknown; line: number | undefined } | { text: string; line: number };

function tryParse(parse: (text: string) => unknown, text: string): Parsed {
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

// Upstream splits with Rust `str::lines()`: on "\n", dropping one trailing "\r"; blank lines are skipped.
function splitLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.split("\n");
  for (const [i, line] of raw.entries()) {
    const body = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (body.trim() !== "") out.push({ text: body, line: i + 1 });
  }
  return out;
}

function summarize(format: "json" | "ndjson", entries: readonly Entry[], where: Omit<Where, "line">, parse?: (text: string) => unknown): TextValidation {
  const issues: Issue[] = [];
  const documents: Document[] = [];
  const rows: LayerRow[] = [];
  const schemas: Record<string, number> = {};
  for (const entry of entries) {
    const at = { ...where, line: entry.line };
    let value: unknown;
    if ("text" in entry) {
      const parsed = tryParse(parse as (text: string) => unknown, entry.text);
      if (!parsed.ok) {
        issues.push(makeIssue(at, "JSON_SYNTAX", "", "one JSON value per line", "text that is not JSON", `line is not JSON: ${parsed.message}`));
        continue;
      }
      value = parsed.value;
    } else {
      value = entry.value;
    }
    const result = validateDocument(value, at);
    if (!result.ok) {
      issues.push(...result.issues);
      continue;
    }
    documents.push(result.value);
    schemas[result.value.schema] = (schemas[result.value.schema] ?? 0) + 1;
    if (entry.line !== undefined && "seq" in result.value) rows.push({ line: entry.line, value: result.value });
  }
  if (format === "ndjson") issues.push(...layerIssues(documents, rows, entries.length, where));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { format, count: entries.length, schemas, documents, issues };
}

function layerIssues(documents: readonly Document[], rows: readonly LayerRow[], count: number, where: Omit<Where, "line">): Issue[] {
  const kinds = [...new Set(documents.map((d) => d.schema))];
  if (kinds.length > 1) {
    return [
      makeIssue(
        where,
        "LAYER_MIXED_SCHEMAS",
        "schema",
        "one schema for every row",
        kinds.join(", "),
        `rows mix schemas ${kinds.join(", ")}; an NDJSON member holds rows of one schema`,
      ),
    ];
  }
  // Sequence and run id are only meaningful once every row is valid; otherwise a bad row shifts them.
  if (documents.length !== count || rows.length !== count || count === 0) return [];
  return checkLayer(rows, where);
}
