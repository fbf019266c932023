import { runCommand, type ArgsDef, type CommandDef, type CommandMeta } from "citty";

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
  return {
    meta: definition.meta,
    help,
    args: async () => {
      const args = definition.args;
      return (typeof args === "function" ? await args() : await args) ?? {};
    },
    run: async (rawArgs) => (await runCommand(definition, { rawArgs })).result,
  };
}
