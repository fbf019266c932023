import { compareCodePoints } from "./_order.ts";

/** Options of the Python-compatible pretty renderer. */
export interface PythonJsonOptions {
  /** Sort object keys by code point, like `json.dumps(..., sort_keys=True)`. */
  readonly sortKeys?: boolean;
}

/**
 * Renders a value exactly as upstream's Python does with `json.dumps(value, indent=2) + "\n"`:
 * two-space indent, `": "` and `","` separators, `[]`/`{}` for empties, non-ASCII escaped as
 * lowercase `\uXXXX` (astral characters as surrogate pairs), one trailing newline (spec §6 item 2).
 */
export function renderPythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  if (options.sortKeys !== true) {
    // JSON.stringify(x, null, 2) has exactly Python's layout and escapes; only ensure_ascii is
    // missing, and non-ASCII can only occur inside strings, so one pass over the text adds it.
    // Native stringify is far faster than any JS writer on 100k-row reports.
    return `${stringifyNative(value).replace(NON_ASCII, escapeChar)}\n`;
  }
  const out: string[] = [];
  write(value, "", true, out);
  out.push("\n");
  return out.join("");
}

/** Escapes one string the way Python's `json.dumps` with `ensure_ascii=True` does, quotes included. */
export function pythonJsonString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  // JSON.stringify already escapes `"`, `\\`, the short forms and other C0 controls exactly as
  // Python does (lowercase \u00xx, lone surrogates as \udxxx); Python also escapes DEL and non-ASCII.
  return JSON.stringify(text).replace(NON_ASCII, escapeChar);
}

// --- internal ---

// Printable ASCII without `"` and `\\`: emitted as is.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NON_ASCII = /[\u007f-\uffff]/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function stringifyNative(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2);
  } catch (error) {
    // Only a bigint makes stringify throw here; retry printing bigints exactly (slower, rare).
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(
      value,
      (_key, item: unknown) => (typeof item === "bigint" ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(item.toString()) : item),
      2,
    );
  }
}

function write(value: unknown, indent: string, sortKeys: boolean, out: string[]): void {
  if (value === null || value === undefined) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "string":
      out.push(pythonJsonString(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "number":
      out.push(formatNumber(value));
      return;
    case "object":
      break;
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push("[]");
      return;
    }
    out.push("[");
    value.forEach((item, index) => {
      out.push(index === 0 ? `\n${inner}` : `,\n${inner}`);
      write(item, inner, sortKeys, out);
    });
    out.push(`\n${indent}]`);
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (sortKeys) entries.sort(([a], [b]) => compareKeys(a, b));
  if (entries.length === 0) {
    out.push("{}");
    return;
  }
  out.push("{");
  entries.forEach(([key, item], index) => {
    out.push(index === 0 ? `\n${inner}` : `,\n${inner}`);
    out.push(pythonJsonString(key), ": ");
    write(item, inner, sortKeys, out);
  });
  out.push(`\n${indent}}`);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
  // deviation: a JSON float such as 1.0 parses to the JS number 1 and prints as "1", where Python
  // prints "1.0"; upstream documents only ever carry integers in the fields we echo.
  return String(value);
}

function compareKeys(a: string, b: string): number {
  // Python sorts str keys by code point; JS `<` compares UTF-16 units (spec §6 item 1).
  return compareCodePoints(a, b);
}
