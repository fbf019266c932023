#!/usr/bin/env bun
import { stripVTControlCharacters } from "node:util";
import { defineCommand, renderUsage, runCommand, type ArgsDef, type CommandDef } from "citty";
import pkg from "../package.json" with { type: "json" };
import { splitAtDoubleDash } from "./cli/_args.ts";
import { logger } from "./cli/_output.ts";
import { UsageError } from "./cli/errors.ts";

type LoadCommand = () => Promise<CommandDef<ArgsDef>>;

// Static import strings, so `bun build --compile` bundles every command and each loads only when chosen.
const commands: Record<string, LoadCommand> = {
  run: () => import("./cli/run.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  verify: () => import("./cli/verify.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  validate: () => import("./cli/validate.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  inspect: () => import("./cli/inspect.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  project: () => import("./cli/project.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  diff: () => import("./cli/diff.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  drift: () => import("./cli/drift.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  fidelity: () => import("./cli/fidelity.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  claims: () => import("./cli/claims.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
  doctor: () => import("./cli/doctor.ts").then((m) => m.default as unknown as CommandDef<ArgsDef>),
};

const root = defineCommand({
  meta: {
    name: "assay-runner",
    version: pkg.version,
    description: "Run a workload in a measured cgroup session and check, project and compare its evidence archives",
  },
  subCommands: Object.fromEntries(
    Object.entries(commands).map(([name, load]) => [name, load]),
  ),
});

/** Runs the command line and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await printUsage(process.stdout, root);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) return reportError(new UsageError("UNKNOWN_COMMAND", `unknown command "${name}"; see assay-runner --help`));
  const command = await load();
  const { before } = splitAtDoubleDash(rest);
  if (before.includes("--help") || before.includes("-h")) {
    await printUsage(process.stdout, command, root);
    return 0;
  }
  try {
    rejectUndeclaredFlags(before, (await resolveArgs(command)) ?? {});
    const { result } = await runCommand(command, { rawArgs: rest });
    return typeof result === "number" ? result : 0;
  } catch (error) {
    // Usage after a mistake goes to stderr: stdout is reserved for --json documents.
    if (error instanceof UsageError) await printUsage(process.stderr, command, root);
    return reportError(error);
  }
}

// --- internal ---

// citty colours its usage whatever the destination; a pipe, a file or NO_COLOR gets plain text.
async function printUsage(stream: NodeJS.WriteStream, command: CommandDef<ArgsDef>, parent?: CommandDef<ArgsDef>): Promise<void> {
  const text = await renderUsage(command, parent);
  stream.write(`${stream.isTTY && !process.env.NO_COLOR ? text : stripVTControlCharacters(text)}\n\n`);
}

async function resolveArgs(command: CommandDef<ArgsDef>): Promise<ArgsDef | undefined> {
  const args = command.args;
  return typeof args === "function" ? await args() : await args;
}

function rejectUndeclaredFlags(tokens: readonly string[], args: ArgsDef): void {
  const known = new Set<string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    known.add(name);
    known.add(kebab(name));
    if (def.type === "boolean") known.add(`no-${kebab(name)}`);
    const aliases = "alias" in def && def.alias !== undefined ? [def.alias].flat() : [];
    for (const alias of aliases) known.add(alias);
  }
  for (const token of tokens) {
    if (!token.startsWith("-") || token === "-") continue;
    const flag = token.replace(/^--?/, "").split("=", 1)[0] ?? "";
    if (!known.has(flag)) throw new UsageError("UNKNOWN_FLAG", `unknown flag ${token.split("=", 1)[0]}`);
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function reportError(error: unknown): number {
  const exitCode = exitCodeOf(error);
  if (exitCode === 70) logger.error(error);
  else logger.error(error instanceof Error ? messageWithCauses(error) : String(error));
  return exitCode;
}

function exitCodeOf(error: unknown): number {
  if (typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number") {
    return error.exitCode;
  }
  // An error nobody anticipated: EX_SOFTWARE, never confusable with a workload's own exit code.
  return 70;
}

function messageWithCauses(error: Error): string {
  const parts = [error.message];
  let cause = error.cause;
  while (cause instanceof Error) {
    // A message that already quotes its cause would repeat it.
    if (!parts.at(-1)!.includes(cause.message)) parts.push(cause.message);
    cause = cause.cause;
  }
  return process.env.ASSAY_DEBUG ? `${parts.join(": ")}\n${error.stack ?? ""}` : parts.join(": ");
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
