import type { ArgsDef, CommandDef, CommandMeta, ParsedArgs } from "citty";
import { parsePlainArgs } from "./_plain-args.ts";

/** What a command's --help shows beyond its description and flags. */
export interface CommandHelp {
  /** The synopsis after `assay-runner NAME`, e.g. `[OPTIONS] -- CMD [ARG…]`; default from the positionals. */
  readonly synopsis?: string;
  readonly examples: readonly string[];
}

/**
 * What every command file default-exports and main.ts loads: one shape for all, whatever the
 * command's args. The typed citty definition stays inside `run`, so nothing needs a cast.
 */
export interface Command {
  readonly meta: CommandMeta;
  readonly help: CommandHelp;
  /** The declared args, for --help and the undeclared-flag check. */
  args(): Promise<ArgsDef>;
  /** Parses `rawArgs` against the typed args and runs the command; resolves to what its `run` returned. */
  run(rawArgs: string[]): Promise<unknown>;
}

/** Wraps a citty definition (typed args welcome) and its help as a `Command`. */
export function cliCommand<const T extends ArgsDef>(definition: CommandDef<T> & { readonly meta: CommandMeta }, help: CommandHelp): Command {
  const args = async (): Promise<ArgsDef> => {
    const declared = definition.args;
    return (typeof declared === "function" ? await declared() : await declared) ?? {};
  };
  return {
    meta: definition.meta,
    help,
    args,
    run: async (rawArgs) => {
      // A plain command line skips citty: its parser loads node:util (~0.7 ms of start-up).
      const { setup, cleanup, subCommands, plugins } = definition;
      const plain = setup === undefined && cleanup === undefined && subCommands === undefined && plugins === undefined;
      const parsed = plain ? parsePlainArgs(await args(), rawArgs) : undefined;
      if (parsed !== undefined && definition.run !== undefined)
        return await definition.run({ rawArgs, args: parsed as ParsedArgs<T>, cmd: definition, data: undefined });
      const { runCommand } = await import("citty");
      return (await runCommand(definition, { rawArgs })).result;
    },
  };
}
