import type { ArgsDef } from "citty";

/** What citty's parser makes of a command line: the positionals under `_`, then each arg by name. */
export type PlainArgs = Record<string, unknown> & { readonly _: string[] };

/**
 * Parses a plain command line the way citty's `runCommand` would (citty 0.2.2), without loading
 * its parser (which loads node:util: ~1.4 ms of a command's start-up). Plain means: every arg is
 * a positional, a boolean or a string named in lower-case words joined by `-`, with at most a
 * one-letter alias and no default or `required`; and the line holds only positionals (`-`
 * included), `--name` or `-a` for a boolean, `--name VALUE`, `--name=VALUE` or `-a VALUE` for a
 * string given once, and `--`, after which everything is a positional. A VALUE after a space never
 * starts with `-`. Anything else is undefined, and the caller hands the line to citty.
 */
export function parsePlainArgs(args: ArgsDef, rawArgs: readonly string[]): PlainArgs | undefined {
  const flags = plainFlags(args);
  if (flags === undefined) return undefined;
  const positionals: string[] = [];
  // By the name citty stores the value under (the long name), in the order first given.
  const values = new Map<string, string | true>();
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i]!;
    if (token === "--") {
      positionals.push(...rawArgs.slice(i + 1));
      break;
    }
    if (token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    const long = token.startsWith("--");
    const equals = long ? token.indexOf("=") : -1;
    const flag = long ? flags.byName.get(token.slice(2, equals < 0 ? undefined : equals)) : flags.byAlias.get(token.slice(1));
    if (flag === undefined) return undefined;
    if (flag.type === "boolean") {
      if (equals >= 0) return undefined;
      if (!values.has(flag.name)) values.set(flag.name, true);
      continue;
    }
    if (values.has(flag.name)) return undefined;
    const value = equals >= 0 ? token.slice(equals + 1) : rawArgs[++i];
    if (value === undefined || value === "" || (equals < 0 && value.startsWith("-"))) return undefined;
    values.set(flag.name, value);
  }
  const out: PlainArgs = { _: positionals };
  for (const [name, value] of values) out[name] = value;
  // citty then copies each given value to its other spellings, in the order of its alias table.
  for (const [alias, main] of flags.aliasPairs) {
    if (out[alias] !== undefined && out[main] === undefined) out[main] = out[alias];
    if (out[main] !== undefined && out[alias] === undefined) out[alias] = out[main];
  }
  const left = [...positionals];
  for (const [name, def] of Object.entries(args)) {
    if (def.type !== "positional") continue;
    const value = left.shift();
    // Hint: citty reports a missing required positional itself, in its own words.
    if (value === undefined && def.default === undefined && def.required !== false) return undefined;
    out[name] = value ?? def.default;
  }
  return out;
}

// --- internal ---

interface Flag {
  readonly name: string;
  readonly type: "boolean" | "string";
}

interface PlainFlags {
  readonly byName: ReadonlyMap<string, Flag>;
  readonly byAlias: ReadonlyMap<string, Flag>;
  /** citty's alias table, both ways, in its insertion order (a Map keeps a key where it was first set). */
  readonly aliasPairs: ReadonlyMap<string, string>;
}

// Lower-case words joined by `-`: citty's second spelling of such a name is its camelCase.
const PLAIN_NAME = /^[a-z]+(?:-[a-z]+)*$/;
const ALIAS = /^[a-z]$/;

// The flags of `args` when every one of them is plain, else undefined.
function plainFlags(args: ArgsDef): PlainFlags | undefined {
  const byName = new Map<string, Flag>();
  const byAlias = new Map<string, Flag>();
  const aliasPairs = new Map<string, string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    if (def.type !== "boolean" && def.type !== "string") return undefined;
    // `--no-x` is citty's negation of x: a name that starts so is left to citty.
    if (!PLAIN_NAME.test(name) || name.startsWith("no-") || def.default !== undefined || def.required !== undefined) return undefined;
    const alias = def.alias;
    if (alias !== undefined && (typeof alias !== "string" || !ALIAS.test(alias))) return undefined;
    const flag: Flag = { name, type: def.type };
    byName.set(name, flag);
    const spellings = [...(alias === undefined ? [] : [alias]), ...(name.includes("-") ? [camelCase(name)] : [])];
    if (alias !== undefined) byAlias.set(alias, flag);
    for (const other of spellings) {
      aliasPairs.set(name, other);
      aliasPairs.set(other, name);
    }
  }
  return { byName, byAlias, aliasPairs };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
