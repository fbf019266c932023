import { join } from "node:path";
import { loadArchive, type LoadedArchive, type ReadLimits } from "../evidence/index.ts";
import type { Result } from "../schema/index.ts";
import type { MemberBytes } from "./drift-observation.ts";
import { CompareInputError, DriftArchiveError } from "./errors.ts";

// The one reading edge of compare: commands, benches and tests open their comparison sides here.

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

// --- internal ---

// The bound the former private reader had on the unpacked tar (1 GiB): far beyond any real
// archive, small enough to refuse a gzip bomb.
const SIDE_LIMITS: ReadLimits = { maxMembers: 64, maxMemberBytes: 2 ** 30, maxTotalBytes: 2 ** 30 };
