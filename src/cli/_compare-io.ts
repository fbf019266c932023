import { readFileSync } from "node:fs";
import { CompareInputError, type ClaimAssertionResult } from "../compare/index.ts";
import { logger } from "./_output.ts";
import { UsageError } from "./errors.ts";

// Inputs and outputs the compare commands (drift, diff, fidelity, claims) share.

/** Collects every value of a repeatable `--flag VALUE` / `--flag=VALUE` (citty keeps only the last). */
export function repeatedFlag(rawArgs: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const token = rawArgs[i] ?? "";
    if (token === "--") break;
    if (token === `--${flag}`) {
      const value = rawArgs[i + 1];
      if (value === undefined) throw new UsageError("MISSING_ARGUMENT", `--${flag} needs a value`);
      values.push(value);
      i++;
    } else if (token.startsWith(`--${flag}=`)) values.push(token.slice(flag.length + 3));
  }
  return values;
}

/** Reads a text file, or throws CompareInputError (exit 2) naming it. */
export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CompareInputError(`${file}: cannot read: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/** Parses JSON text read from `file`, or throws CompareInputError (exit 2) naming it. */
export function parseJsonText(text: string, file: string): unknown {
  // Read as UTF-8 text, a gzip header's first byte survives as U+001F.
  if (text.charCodeAt(0) === 0x1f) throw new CompareInputError(`${file}: this is a gzip archive, not a JSON document`, { file });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CompareInputError(`${file}: not JSON: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/** Logs each claim's outcome on stderr (not with --json); the exit code is 0 when all are permitted, else 1. */
export function reportClaims(results: readonly ClaimAssertionResult[], json = false): number {
  for (const result of json ? [] : results) {
    if (result.permitted) logger.info(`claim ${result.claim} permitted: ${result.detail}`);
    else logger.error(`claim ${result.claim} blocked: ${result.detail}`);
  }
  return results.every((r) => r.permitted) ? 0 : 1;
}
