import type { ConsolaInstance, ConsolaReporter, FormatOptions, LogObject } from "consola";
// Hint: consola's main entry builds its fancy reporter, an Intl.Segmenter, emoji tables and
// process.stdin at import, and pulls node:tty and node:readline into the binary's start-up
// (~7 ms CPU on every command); the basic entry does none of that. The terminal look comes from
// terminalReporter below.
import { createConsola } from "consola/basic";

/** Verbosity chosen on the command line. */
export interface OutputOptions {
  readonly quiet?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

const isCI = Boolean(process.env.CI);

/** The only logger: human output on stderr, fancy only on an interactive terminal. */
export const logger: ConsolaInstance = createConsola({
  level: 3,
  stdout: process.stderr,
  stderr: process.stderr,
  // Hint: repeated warnings name different members; none may fold away.
  throttle: 0,
  formatOptions: { date: false, colors: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR },
});
const basicReporter = logger.options.reporters[0] as BasicFormatter;
logger.setReporters([Boolean(process.stderr.isTTY) && !isCI ? terminalReporter(basicReporter) : plainReporter(basicReporter)]);

/** Applies --quiet / --verbose to the logger. */
export function configureOutput(options: OutputOptions): void {
  logger.level = options.quiet ? 1 : options.verbose ? 4 : 3;
}

/** Writes one machine-readable JSON document on stdout. */
export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, jsonReplacer, 2)}\n`);
}

/** Whether progress lines are wanted (a terminal, outside CI). */
export const showsProgress: boolean = Boolean(process.stderr.isTTY) && !isCI;

// --- internal ---

function jsonReplacer(_key: string, value: unknown): unknown {
  // Hint: u64 values beyond 2^53 travel as bigint and must print exactly.
  return typeof value === "bigint" ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(value.toString()) : value;
}

interface BasicFormatter extends ConsolaReporter {
  formatArgs(args: unknown[], options: FormatOptions): string;
  formatStack(stack: string, message: string, options: FormatOptions & { errorLevel?: number }): string;
}

// consola's basic reporter, except that plain report lines (`logger.log`: the rows of `inspect`
// and `doctor`) carry no `[log]` tag; warnings, errors and the rest keep theirs for log readers.
function plainReporter(basic: BasicFormatter): ConsolaReporter {
  return {
    log(logObj: LogObject, ctx) {
      if (logObj.type !== "log") return basic.log(logObj, ctx);
      const options = { columns: 0, ...ctx.options.formatOptions };
      (ctx.options.stderr ?? process.stderr).write(`${basic.formatArgs(logObj.args, options)}\n`);
    },
  };
}

// deviation: consola's FancyReporter, reduced to what our one-line messages use: the type's icon
// (warnings and errors as a coloured badge between blank lines), the message formatted by the
// basic reporter (errors with their stack and causes). No right-aligned tags, boxes or prompts.
function terminalReporter(basic: BasicFormatter): ConsolaReporter {
  const unicode = process.env.TERM !== "linux";
  // Stack lines as the fancy reporter sets them: after a blank line, "at" grey, the location cyan.
  const formatter: BasicFormatter = Object.create(basic);
  formatter.formatStack = (stack, message, options) => {
    const paint = painter(options.colors);
    const indent = "  ".repeat((options.errorLevel ?? 0) + 1);
    const lines = basic.formatStack(stack, message, options).split("\n").map((line) => line.slice(indent.length));
    return `\n${indent}${lines.map((line) => `  ${line.replace(/^at +/, (m) => paint(90, m)).replace(/\((.+)\)/, (_, m: string) => `(${paint(36, m)})`)}`).join(`\n${indent}`)}`;
  };
  return {
    log(logObj: LogObject, ctx) {
      const options = { columns: 0, ...ctx.options.formatOptions };
      const paint = painter(options.colors);
      const message = formatter.formatArgs(logObj.args, options).replace(/`([^`]+)`/g, (_, m: string) => paint(36, m));
      const color = TYPE_COLORS[logObj.type] ?? (logObj.level === 0 ? 31 : logObj.level === 1 ? 33 : 90);
      const badge = logObj.badge ?? logObj.level < 2;
      const label = ` ${logObj.type.toUpperCase()} `;
      const icon = (unicode ? TYPE_ICONS[logObj.type]?.[0] : TYPE_ICONS[logObj.type]?.[1]) ?? logObj.type;
      const type = badge ? (options.colors ? `\x1b[${color + 10}m\x1b[30m${label}\x1b[39m\x1b[49m` : label) : icon === "" ? "" : paint(color, icon);
      const line = [type, message].filter((part) => part !== "").join(" ");
      (ctx.options.stderr ?? process.stderr).write(badge ? `\n${line}\n\n` : `${line}\n`);
    },
  };
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
