import { JsonUnrepresentableError } from "./errors.ts";

/**
 * Prints a value as compact JSON exactly as upstream's serde_json does (§2.0): keys in the
 * object's own order (build objects in upstream field order; a `Map` keeps any key order),
 * `undefined` properties omitted, bigint printed exactly, strings escaped like serde_json.
 */
export function canonicalJson(value: unknown): string {
  // Most values (every archive row) are plain: then JSON.stringify prints exactly serde's bytes and
  // is an order of magnitude faster. Anything else (bigint, Map, a value to refuse) takes the
  // careful printer, which also names the path of a refused value.
  if (isPlain(value, 0)) return JSON.stringify(value);
  return print(value, "", new Set());
}

/** Returns the UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return ENCODER.encode(canonicalJson(value));
}

// --- internal ---

const ENCODER = new TextEncoder();
const MAX_PLAIN_DEPTH = 64;

// Whether JSON.stringify prints `value` exactly as serde_json would: only null, booleans, safe
// integers and finite numbers, well-formed strings, arrays without holes or undefined, and plain
// objects (undefined properties are omitted by both). Deep values go to the printer, which detects cycles.
function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
      return value.isWellFormed();
    case "number":
      return Number.isFinite(value) && (Number.isSafeInteger(value) || !Number.isInteger(value));
    case "boolean":
      return true;
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlain(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (!key.isWellFormed() || !isPlain(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// `path` is only built lazily for error messages, so the hot path carries the parent path string
// and a child key only when it must recurse.
function print(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case "string":
      return printString(value, path);
    case "number":
      return printNumber(value, path);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return printObject(value, path, ancestors);
    default:
      throw new JsonUnrepresentableError(`a ${typeof value} has no JSON form`, path);
  }
}

function printString(value: string, path: string): string {
  // serde_json strings are Rust `str`: a lone surrogate cannot exist there. JSON.stringify would
  // print it as `\udxxx`, which upstream never produces — refuse rather than invent bytes.
  if (!value.isWellFormed()) throw new JsonUnrepresentableError("string contains a lone surrogate", path);
  // For well-formed strings JSON.stringify escapes exactly like serde_json: \" \\ \b \f \n \r \t,
  // other C0 controls as lowercase \u00xx, everything else (/, DEL, U+2028/9, non-ASCII) raw.
  return JSON.stringify(value);
}

function printNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new JsonUnrepresentableError(`${value} has no JSON form`, path);
  if (Number.isInteger(value)) {
    // A number beyond 2^53 may already have been rounded; u64 values that large travel as bigint.
    if (!Number.isSafeInteger(value)) {
      throw new JsonUnrepresentableError(`integer ${value} is beyond 2^53; pass it as a bigint`, path);
    }
    return Object.is(value, -0) ? "0" : String(value);
  }
  // deviation: upstream has no float fields; non-integers print in JS notation (ryu may differ).
  return String(value);
}

function printObject(value: object, path: string, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new JsonUnrepresentableError("value contains a cycle", path);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return printArray(value, path, ancestors);
    if (value instanceof Map) return printEntries(value.entries(), path, ancestors);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new JsonUnrepresentableError(`only plain objects, arrays and Maps print; got ${value.constructor?.name ?? "object"}`, path);
    }
    return printEntries(Object.entries(value), path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function printArray(value: readonly unknown[], path: string, ancestors: Set<object>): string {
  let out = "[";
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    // JSON.stringify would print null for a hole or undefined; serde has no such value.
    if (item === undefined) throw new JsonUnrepresentableError("array element is undefined", `${path}[${i}]`);
    if (i > 0) out += ",";
    out += print(item, `${path}[${i}]`, ancestors);
  }
  return `${out}]`;
}

function printEntries(entries: Iterable<[unknown, unknown]>, path: string, ancestors: Set<object>): string {
  let out = "{";
  let first = true;
  for (const [key, item] of entries) {
    if (item === undefined) continue;
    if (typeof key !== "string") throw new JsonUnrepresentableError("object key is not a string", path);
    const childPath = path === "" ? key : `${path}.${key}`;
    out += first ? printString(key, childPath) : `,${printString(key, childPath)}`;
    out += `:${print(item, childPath, ancestors)}`;
    first = false;
  }
  return `${out}}`;
}
