import { createConsola, type ConsolaInstance } from "consola";

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
  fancy: Boolean(process.stderr.isTTY) && !isCI,
  // Hint: repeated warnings name different members; none may fold away.
  throttle: 0,
  formatOptions: { date: false, colors: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR },
});

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
