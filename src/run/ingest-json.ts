// JSON reading with serde_json's acceptance rules, for the policy and SDK log readers (spec §2.4,
// §2.5): upstream parses each line with `serde_json::from_str::<Value>`, which refuses a few things
// `JSON.parse` accepts, and reads `seq` with `Value::as_u64`, which only a plain unsigned integer
// literal passes (`0.0`, `1e0`, `-0` are rejected although JSON.parse makes them numbers).

/** A parsed log line: the value, or why serde_json would refuse the line. */
export type SerdeParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** Parses one trimmed log line as upstream does, refusing lone surrogates, non-finite numbers and nesting beyond 127. */
export function parseSerdeJson(text: string): SerdeParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const problem = serdeProblem(value, 0);
  return problem === undefined ? { ok: true, value } : { ok: false, reason: problem };
}

/**
 * Returns the raw text of the value of `key` in a top-level JSON object (the last one if the key
 * repeats, as the parsed object keeps the last), or undefined. `text` must be valid JSON.
 */
export function topLevelRawValue(text: string, key: string): string | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== "{") return undefined;
  i = skipWhitespace(text, i + 1);
  let found: string | undefined;
  while (i < text.length && text[i] !== "}") {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // ":"
    const valueEnd = skipValue(text, i);
    if (name === key) found = text.slice(i, valueEnd);
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ",") i = skipWhitespace(text, i + 1);
  }
  return found;
}

/** Reads a raw JSON number token as a u64 the way `Value::as_u64` does: plain unsigned integer literals up to 2^64−1. */
export function rawTokenAsU64(raw: string): bigint | undefined {
  if (!/^(?:0|[1-9][0-9]*)$/.test(raw)) return undefined;
  const value = BigInt(raw);
  return value <= U64_MAX ? value : undefined;
}

// --- internal ---

const U64_MAX = (1n << 64n) - 1n;
const SERDE_MAX_DEPTH = 127;

function serdeProblem(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
      return value.isWellFormed() ? undefined : "lone surrogate in a string";
    case "number":
      return Number.isFinite(value) ? undefined : "number out of range";
    case "object": {
      if (value === null) return undefined;
      if (depth >= SERDE_MAX_DEPTH) return "recursion limit exceeded";
      const entries = Array.isArray(value) ? value.map((item) => ["", item] as const) : Object.entries(value);
      for (const [key, item] of entries) {
        if (!key.isWellFormed()) return "lone surrogate in a key";
        const problem = serdeProblem(item, depth + 1);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  return i;
}

function skipString(text: string, i: number): number {
  // i is at the opening quote; returns the index after the closing quote.
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

function skipValue(text: string, i: number): number {
  if (text[i] === '"') return skipString(text, i);
  if (text[i] === "{" || text[i] === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = skipString(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !",}] \t\n\r".includes(text[j] as string)) j++;
  return j;
}
