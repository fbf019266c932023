import { JsonSyntaxError } from "./errors.ts";

/** A JSON value as parseJson returns it: integers beyond 2^53 are bigint, never rounded. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Parses JSON text losslessly: integer literals beyond ±(2^53−1) become bigint (u64 cgroup ids and
 * flags, §2.0), everything else is what `JSON.parse` gives; text that is not JSON throws a
 * JsonSyntaxError with line and column.
 */
export function parseJson(text: string): JsonValue {
  // Fast path: without a run of 16+ digits no integer literal can exceed 2^53 (9007199254740991
  // has 16 digits), so the native parser is exact.
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Fall through: the exact parser finds the position of the error.
    }
  }
  return new ExactParser(text).parseDocument();
}

// --- internal ---

const LONG_DIGITS = /\d{16}/;
const MAX_DEPTH = 512;

// A small recursive-descent parser: only used when a long digit run is present or the native
// parser failed, so clarity wins over speed.
class ExactParser {
  private index = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.index < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.index);
    switch (c) {
      case 0x7b: // {
        return this.parseObject(depth);
      case 0x5b: // [
        return this.parseArray(depth);
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral("true", true);
      case 0x66: // f
        return this.parseLiteral("false", false);
      case 0x6e: // n
        return this.parseLiteral("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(this.index >= this.text.length ? "unexpected end of input" : "expected a JSON value");
    }
  }

  private parseObject(depth: number): JsonValue {
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.index++;
    const result: { [key: string]: JsonValue } = {};
    this.skipWhitespace();
    if (this.text.charCodeAt(this.index) === 0x7d) {
      this.index++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.index) !== 0x22) this.fail("expected a string key");
      const key = this.parseString();
      this.skipWhitespace();
      this.expect(0x3a, "expected ':'");
      this.skipWhitespace();
      const item = this.parseValue(depth + 1);
      // Hint: a plain assignment of "__proto__" would change the prototype; JSON.parse defines it.
      if (key === "__proto__") Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
      else result[key] = item;
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.index);
      this.index++;
      if (c === 0x7d) return result;
      if (c !== 0x2c) this.fail("expected ',' or '}'", this.index - 1);
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): JsonValue {
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.index++;
    const result: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.index) === 0x5d) {
      this.index++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.index);
      this.index++;
      if (c === 0x5d) return result;
      if (c !== 0x2c) this.fail("expected ',' or ']'", this.index - 1);
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const text = this.text;
    let i = this.index + 1;
    let out = "";
    let chunkStart = i;
    for (;;) {
      if (i >= text.length) this.fail("unterminated string", i);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail("control character in string", i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(chunkStart, i);
      const e = text.charCodeAt(i + 1);
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += "\\";
          break;
        case 0x2f:
          out += "/";
          break;
        case 0x62:
          out += "\b";
          break;
        case 0x66:
          out += "\f";
          break;
        case 0x6e:
          out += "\n";
          break;
        case 0x72:
          out += "\r";
          break;
        case 0x74:
          out += "\t";
          break;
        case 0x75: {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape", i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.fail("bad escape", i);
      }
      i += 2;
      chunkStart = i;
    }
    out += text.slice(chunkStart, i);
    this.index = i + 1;
    return out;
  }

  private parseNumber(): number | bigint {
    const start = this.index;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail("malformed number");
    this.index = start + match[0].length;
    const literal = match[0];
    const isInteger = match[1] === undefined && match[2] === undefined;
    const value = Number(literal);
    if (isInteger && !Number.isSafeInteger(value)) return BigInt(literal);
    return value;
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.index)) this.fail("expected a JSON value");
    this.index += word.length;
    return value;
  }

  private expect(code: number, message: string): void {
    if (this.text.charCodeAt(this.index) !== code) this.fail(message);
    this.index++;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let i = this.index;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.index = i;
  }

  private fail(message: string, at: number = this.index): never {
    const before = this.text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - (before.lastIndexOf("\n") + 1) + 1;
    throw new JsonSyntaxError(message, at, line, column);
  }
}

// Groups: 1 = fraction, 2 = exponent. JSON forbids leading zeros, "+", "." without digits.
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
