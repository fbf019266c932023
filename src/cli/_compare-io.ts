import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CompareInputError, DriftArchiveError, type ClaimAssertionResult, type MemberBytes } from "../compare/index.ts";
import { loadArchive, type LoadedArchive, type ReadLimits } from "../evidence/index.ts";
import type { Result } from "../schema/index.ts";
import { logger } from "./_output.ts";
import { UsageError } from "./errors.ts";

// Inputs and outputs the compare commands (drift, diff, fidelity, claims) share.

/** A comparison side opened for reading: members by exact name, and how errors name the side. */
export interface OpenedSide {
  readonly path: string;
  readonly member: MemberBytes;
  /** How to name one member of this side in a message (`dir/name` or `archive.tar.gz!name`). */
  readonly where: (name: string) => string;
}

/**
 * Opens an archive for member reads through the evidence reader: an extracted directory or a
 * `.tar.gz` (members by exact name, as upstream; only the members a command asks for need be
 * there). When the path or the tar is unreadable it throws CompareInputError (exit 2), or for
 * `drift` DriftArchiveError (exit 3, upstream's code for that command alone).
 */
export async function openSide(path: string, command: "drift" | "other" = "other"): Promise<OpenedSide> {
  const unreadable = (message: string, cause?: unknown): Error =>
    command === "drift" ? new DriftArchiveError(message, { cause }) : new CompareInputError(message, { file: path }, { cause });
  let loaded: Result<LoadedArchive>;
  try {
    loaded = await loadArchive(path, SIDE_LIMITS, { skipNonRegular: true });
  } catch (error) {
    const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === "ENOENT") throw unreadable(`${path}: archive path does not exist`);
    throw unreadable(`${path}: read failed: ${(error as Error).message}`, error);
  }
  if (!loaded.ok) throw unreadable(`${path}: corrupt tar archive: ${loaded.issues[0].message}`);
  const { kind, members } = loaded.value;
  return {
    path,
    where: kind === "directory" ? (name) => join(path, name) : (name) => `${path}!${name}`,
    member: (name) => members.get(name),
  };
}

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

// --- internal ---

// The bound the former private reader had on the unpacked tar (1 GiB): far beyond any real
// archive, small enough to refuse a gzip bomb.
const SIDE_LIMITS: ReadLimits = { maxMembers: 64, maxMemberBytes: 2 ** 30, maxTotalBytes: 2 ** 30 };
