import type { ArgsDef } from "citty";

/** What citty's parser makes of a command line: the positionals under `_`, then each arg by name. */
export type PlainArgs = Record<string, unknown> & { readonly _: string[] };

/**
 * Parses a plain command line the way citty's `runCommand` would (citty 0.2.2): only positionals
 * (`-` included) and `--name` for a boolean arg named in plain lower-case letters, with no alias,
 * default or `required`. Anything else is undefined, and the caller hands the line to citty.
 */
export function parsePlainArgs(args: ArgsDef, rawArgs: readonly string[]): PlainArgs | undefined {
  const flags = new Set<string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    if (def.type !== "boolean" || !PLAIN_NAME.test(name) || def.alias !== undefined || def.default !== undefined || def.required !== undefined)
      return undefined;
    flags.add(name);
  }
  const out: PlainArgs = { _: [] };
  for (const token of rawArgs) {
    if (token === "-" || !token.startsWith("-")) out._.push(token);
    else if (token.startsWith("--") && flags.has(token.slice(2))) out[token.slice(2)] = true;
    else return undefined;
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
