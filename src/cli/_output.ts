import { createConsola, type ConsolaInstance, type ConsolaReporter, type FormatOptions, type LogObject } from "consola/core";
import { sep } from "node:path";
import { isTerminal, writeStderr, writeStdout } from "./_std-streams.ts";
// Hint: consola's main entry builds its fancy reporter, an Intl.Segmenter, emoji tables and
// process.stdin at import, and pulls node:tty and node:readline into the binary's start-up
// (~7 ms CPU on every command); its basic entry creates process.stdout and process.stderr at
// import (~10 ms). The core entry does neither: the formatting of its basic reporter is in
// LogFormat below, the terminal look in terminalReporter.

/** Verbosity chosen on the command line. */
export interface OutputOptions {
  readonly quiet?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

const isCI = Boolean(process.env.CI);
const stderrIsTerminal = isTerminal(2);

/** The only logger: human output on stderr, fancy only on an interactive terminal. */
export const logger: ConsolaInstance = createConsola({
  level: 3,
  // Hint: repeated warnings name different members; none may fold away.
  throttle: 0,
  formatOptions: { date: false, colors: stderrIsTerminal && !process.env.NO_COLOR },
  reporters: [stderrIsTerminal && !isCI ? terminalReporter() : plainReporter()],
});

/** Applies --quiet / --verbose to the logger. */
export function configureOutput(options: OutputOptions): void {
  logger.level = options.quiet ? 1 : options.verbose ? 4 : 3;
}

/** Writes one machine-readable JSON document on stdout. */
export function printJson(document: unknown): void {
  writeStdout(`${JSON.stringify(document, jsonReplacer, 2)}\n`);
}

/** Whether progress lines are wanted (a terminal, outside CI). */
export const showsProgress: boolean = stderrIsTerminal && !isCI;

// --- internal ---

function jsonReplacer(_key: string, value: unknown): unknown {
  // Hint: u64 values beyond 2^53 travel as bigint and must print exactly.
  return typeof value === "bigint" ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(value.toString()) : value;
}

// consola's basic reporter, except that plain report lines (`logger.log`: the rows of `inspect`
// and `doctor`) carry no `[log]` tag; warnings, errors and the rest keep theirs for log readers.
function plainReporter(): ConsolaReporter {
  return {
    log(logObj: LogObject, ctx) {
      const options = { columns: 0, ...ctx.options.formatOptions };
      writeStderr(`${logObj.type === "log" ? formatArgs(logObj.args, options, basicStack) : formatLogObj(logObj, options)}\n`);
    },
  };
}

// deviation: consola's FancyReporter, reduced to what our one-line messages use: the type's icon
// (warnings and errors as a coloured badge between blank lines), the message formatted by the
// basic reporter (errors with their stack and causes). No right-aligned tags, boxes or prompts.
function terminalReporter(): ConsolaReporter {
  const unicode = process.env.TERM !== "linux";
  return {
    log(logObj: LogObject, ctx) {
      const options = { columns: 0, ...ctx.options.formatOptions };
      const paint = painter(options.colors);
      const message = formatArgs(logObj.args, options, terminalStack).replace(/`([^`]+)`/g, (_, m: string) => paint(36, m));
      const color = TYPE_COLORS[logObj.type] ?? (logObj.level === 0 ? 31 : logObj.level === 1 ? 33 : 90);
      const badge = logObj.badge ?? logObj.level < 2;
      const label = ` ${logObj.type.toUpperCase()} `;
      const icon = (unicode ? TYPE_ICONS[logObj.type]?.[0] : TYPE_ICONS[logObj.type]?.[1]) ?? logObj.type;
      const type = badge ? (options.colors ? `\x1b[${color + 10}m\x1b[30m${label}\x1b[39m\x1b[49m` : label) : icon === "" ? "" : paint(color, icon);
      const line = [type, message].filter((part) => part !== "").join(" ");
      writeStderr(badge ? `\n${line}\n\n` : `${line}\n`);
    },
  };
}

// The formatting of consola's BasicReporter (consola 3.4.2, MIT), which consola/core leaves out.

type StackFormat = (stack: string, message: string, options: FormatOptions) => string;

interface ErrorLike {
  readonly message?: string;
  readonly stack: string;
  readonly cause?: unknown;
}

function formatLogObj(logObj: LogObject, options: FormatOptions): string {
  const message = formatArgs(logObj.args, options, basicStack);
  if (logObj.type === "box") {
    const title = typeof logObj.title === "string" ? logObj.title : "";
    return `\n${[bracket(logObj.tag), title, ...message.split("\n")]
      .filter(Boolean)
      .map((line) => ` > ${line}`)
      .join("\n")}\n`;
  }
  return [bracket(logObj.type), bracket(logObj.tag), message].filter(Boolean).join(" ");
}

function formatArgs(args: readonly unknown[], options: FormatOptions, formatStack: StackFormat): string {
  return format(
    options,
    args.map((arg) => (isErrorLike(arg) ? formatError(arg, options, formatStack) : arg)),
  );
}

function formatError(error: ErrorLike, options: FormatOptions, formatStack: StackFormat): string {
  const message = error.message ?? format(options, [error]);
  const stack = error.stack ? formatStack(error.stack, message, options) : "";
  const level = options.errorLevel ?? 0;
  const causedPrefix = level > 0 ? `${"  ".repeat(level)}[cause]: ` : "";
  const causedError = error.cause ? `\n\n${formatError(error.cause as ErrorLike, { ...options, errorLevel: level + 1 }, formatStack)}` : "";
  return `${causedPrefix}${message}\n${stack}${causedError}`;
}

// node:util's formatWithOptions, which loads its inspector on first use (~1 ms of start-up); one
// string, the usual message, it returns as it is.
function format(options: FormatOptions, args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  const { formatWithOptions } = process.getBuiltinModule("node:util");
  return formatWithOptions(options, ...args);
}

function basicStack(stack: string, message: string, options: FormatOptions): string {
  const indent = "  ".repeat((options.errorLevel ?? 0) + 1);
  const cwd = process.cwd() + sep;
  const lines = stack
    .split("\n")
    .splice(message.split("\n").length)
    .map((line) => line.trim().replace("file://", "").replace(cwd, ""));
  return indent + lines.join(`\n${indent}`);
}

// Stack lines as consola's fancy reporter sets them: after a blank line, "at" grey, the location cyan.
function terminalStack(stack: string, message: string, options: FormatOptions): string {
  const paint = painter(options.colors);
  const indent = "  ".repeat((options.errorLevel ?? 0) + 1);
  const lines = basicStack(stack, message, options)
    .split("\n")
    .map((line) => line.slice(indent.length));
  return `\n${indent}${lines.map((line) => `  ${line.replace(/^at +/, (m) => paint(90, m)).replace(/\((.+)\)/, (_, m: string) => `(${paint(36, m)})`)}`).join(`\n${indent}`)}`;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { stack?: unknown }).stack === "string";
}

function bracket(text: string): string {
  return text ? `[${text}]` : "";
}

// Colours text with an SGR foreground code when colours are on.
function painter(colors: boolean | undefined): (code: number, text: string) => string {
  return (code, text) => (colors ? `\x1b[${code}m${text}\x1b[39m` : text);
}

const TYPE_COLORS: Record<string, number> = { info: 36, fail: 31, success: 32, ready: 32, start: 35 };
const TYPE_ICONS: Record<string, readonly [string, string]> = {
  error: ["\u2716", "\xD7"],
  fatal: ["\u2716", "\xD7"],
  ready: ["\u2714", "\u221A"],
  warn: ["\u26A0", "\u203C"],
  info: ["\u2139", "i"],
  success: ["\u2714", "\u221A"],
  debug: ["\u2699", "D"],
  trace: ["\u2192", "\u2192"],
  fail: ["\u2716", "\xD7"],
  start: ["\u25D0", "o"],
  log: ["", ""],
};
