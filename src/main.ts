#!/usr/bin/env bun
import type { ArgsDef } from "citty";
import pkg from "../package.json" with { type: "json" };
import type { Command } from "./cli/_command.ts";
import type { CommandName } from "./cli/_command-meta.ts";

type LoadCommand = () => Promise<Command>;

// Static import strings, so `bun build --compile` bundles every command and each loads only when chosen.
const commands: Record<CommandName, LoadCommand> = {
  run: () => import("./cli/run.ts").then((m) => m.default),
  verify: () => import("./cli/verify.ts").then((m) => m.default),
  validate: () => import("./cli/validate.ts").then((m) => m.default),
  inspect: () => import("./cli/inspect.ts").then((m) => m.default),
  project: () => import("./cli/project.ts").then((m) => m.default),
  diff: () => import("./cli/diff.ts").then((m) => m.default),
  drift: () => import("./cli/drift.ts").then((m) => m.default),
  fidelity: () => import("./cli/fidelity.ts").then((m) => m.default),
  claims: () => import("./cli/claims.ts").then((m) => m.default),
  doctor: () => import("./cli/doctor.ts").then((m) => m.default),
  attest: () => import("./cli/attest.ts").then((m) => m.default),
  "verify-attestation": () => import("./cli/verify-attestation.ts").then((m) => m.default),
  "egress-policy": () => import("./cli/egress-policy.ts").then((m) => m.default),
  baseline: () => import("./cli/baseline.ts").then((m) => m.default),
  check: () => import("./cli/check.ts").then((m) => m.default),
  report: () => import("./cli/report.ts").then((m) => m.default),
};

const DESCRIPTION = `assay-runner ${pkg.version}: run a workload in a measured cgroup session, and check, project and compare its evidence archives.`;

/** Runs the command line and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  // --version and --help load nothing they do not print: no command, no logger (start-up budget).
  if (name === "--help" || name === "-h" || name === "help") {
    await print(await rootHelp());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    await print(`${pkg.version}\n`);
    return 0;
  }
  const [{ splitAtDoubleDash }, { UsageError }] = await Promise.all([import("./cli/_args.ts"), import("./cli/errors.ts")]);
  // The logger loads when there is something to report: a command that succeeds quietly never needs it.
  const output = () => import("./cli/_output.ts");
  const reportError = async (error: unknown): Promise<number> => {
    const { logger } = await output();
    const exitCode = exitCodeOf(error);
    if (exitCode === 70) logger.error(error);
    else logger.error(error instanceof Error ? messageWithCauses(error) : String(error));
    return exitCode;
  };
  if (name === undefined) {
    await reportError(new UsageError("MISSING_ARGUMENT", `a command is required: ${Object.keys(commands).join(", ")}`));
    (await output()).logger.log("see assay-runner --help");
    return 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name as CommandName] : undefined;
  if (!load) return await reportError(new UsageError("UNKNOWN_COMMAND", `unknown command "${name}"; see assay-runner --help`));
  const command = await load();
  const { before } = splitAtDoubleDash(rest);
  if (before.includes("--help") || before.includes("-h")) {
    const { renderCommandHelp } = await import("./cli/_usage.ts");
    await print(renderCommandHelp(name, command, await command.args()));
    return 0;
  }
  try {
    const unknown = undeclaredFlag(before, await command.args());
    if (unknown !== undefined) throw new UsageError("UNKNOWN_FLAG", `unknown flag ${unknown}`);
    const result = await command.run(rest);
    return typeof result === "number" ? result : 0;
  } catch (error) {
    const exitCode = await reportError(error);
    const { logger, printJson } = await output();
    // --json promises one document on stdout: a failure is one too.
    if (before.includes("--json"))
      printJson({ error: { code: codeOf(error), message: error instanceof Error ? error.message : String(error), exit_code: exitCode } });
    // The error first and alone on its line; then where to read more, not the whole usage.
    if (error instanceof UsageError) logger.log(`see assay-runner ${name} --help`);
    return exitCode;
  }
}

// --- internal ---

// Writes help or the version to stdout with Bun.write: process.stdout (a Node stream, ~10 ms to
// create) and node:fs (~1 ms to load) would cost more than the rest of printing them.
async function print(text: string): Promise<void> {
  await Bun.write(Bun.stdout, text);
}

async function rootHelp(): Promise<string> {
  const [{ renderRootHelp, summaryOf }, { COMMAND_META }] = await Promise.all([import("./cli/_usage.ts"), import("./cli/_command-meta.ts")]);
  const listed = Object.keys(commands).map((name) => [name, summaryOf(COMMAND_META[name as CommandName])] as const);
  return renderRootHelp(DESCRIPTION, listed);
}

// The first token that is a flag `args` does not declare, as written (without any `=value`).
function undeclaredFlag(tokens: readonly string[], args: ArgsDef): string | undefined {
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
    if (!known.has(flag)) return token.split("=", 1)[0];
  }
  return undefined;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function exitCodeOf(error: unknown): number {
  if (typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number") {
    return error.exitCode;
  }
  // An error nobody anticipated: EX_SOFTWARE, never confusable with a workload's own exit code.
  return 70;
}

function codeOf(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  return typeof code === "string" ? code : "INTERNAL";
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
