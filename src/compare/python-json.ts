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
  const out: string[] = [];
  write(value, "", options.sortKeys === true, out);
  out.push("\n");
  return out.join("");
}

/** Escapes one string the way Python's `json.dumps` with `ensure_ascii=True` does, quotes included. */
export function pythonJsonString(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // Hint: printable ASCII except `"` and `\` passes through; Python escapes everything else.
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) continue;
    if (i > start) out += text.slice(start, i);
    out += escapeUnit(unit);
    start = i + 1;
  }
  if (start < text.length) out += text.slice(start);
  return `${out}"`;
}

// --- internal ---

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x08: "\\b",
  0x0c: "\\f",
};

function escapeUnit(unit: number): string {
  // UTF-16 code units are exactly what Python emits for astral characters (a surrogate pair).
  return SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, "0")}`;
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
