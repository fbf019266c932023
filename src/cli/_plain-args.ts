import type { ArgsDef } from "citty";

/** What citty's parser makes of a command line: the positionals under `_`, then each arg by name. */
export type PlainArgs = Record<string, unknown> & { readonly _: string[] };

/**
 * Parses a plain command line the way citty's `runCommand` would (citty 0.2.2): positionals (`-`
 * included), `--name` for a boolean arg, and `--name VALUE` or `--name=VALUE` for a string arg, each
 * arg named in plain lower-case letters with no alias, default or `required`, and each string
 * flag given once. A VALUE after a space never starts with `-`. Anything else is undefined, and
 * the caller hands the line to citty.
 */
export function parsePlainArgs(args: ArgsDef, rawArgs: readonly string[]): PlainArgs | undefined {
  const kinds = new Map<string, "boolean" | "string">();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    if (
      (def.type !== "boolean" && def.type !== "string") ||
      !PLAIN_NAME.test(name) ||
      def.alias !== undefined ||
      def.default !== undefined ||
      def.required !== undefined
    )
      return undefined;
    kinds.set(name, def.type);
  }
  const out: PlainArgs = { _: [] };
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i]!;
    if (token === "-" || !token.startsWith("-")) {
      out._.push(token);
      continue;
    }
    if (!token.startsWith("--")) return undefined;
    const equals = token.indexOf("=");
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const kind = kinds.get(name);
    if (kind === undefined) return undefined;
    if (kind === "boolean") {
      if (equals >= 0) return undefined;
      out[name] = true;
    } else if (Object.hasOwn(out, name)) return undefined;
    else if (equals >= 0) {
      if (equals + 1 === token.length) return undefined;
      out[name] = token.slice(equals + 1);
    } else {
      const value = rawArgs[i + 1];
      if (value === undefined || value.startsWith("-")) return undefined;
      out[name] = value;
      i++;
    }
  }
  const positionals = [...out._];
  for (const [name, def] of Object.entries(args)) {
    if (def.type !== "positional") continue;
    const value = positionals.shift();
    // Hint: citty reports a missing required positional itself, in its own words.
    if (value === undefined && def.default === undefined && def.required !== false) return undefined;
    out[name] = value ?? def.default;
  }
  return out;
}

// --- internal ---

// A name citty's camelCase and kebabCase leave as it is, so it has no second spelling.
const PLAIN_NAME = /^[a-z]+$/;
