// Reads an extracted archive directory (upstream's layout) member by member, within the read limits.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import type { Issue } from "../schema/index.ts";
import { ArchiveReadError, describeCause } from "./errors.ts";
import { ARCHIVE_MEMBERS } from "./member-names.ts";
import { type MemberSink, type MemberVisitor, nameProblem, type ReadLimits } from "./tar-parser.ts";

const MAX_DIRECTORY_DEPTH = 8;
const READ_CHUNK = 1 << 20;

/** Visits every regular file of `root` as a member; problems are issues, an unreadable root throws ArchiveReadError. */
export async function readDirectory(root: string, visit: MemberVisitor, limits: ReadLimits): Promise<Issue[]> {
  const issues: Issue[] = [];
  const record: RecordIssue = (code, member, expected, received, message) =>
    issues.push({ code, file: root, ...(member === "" ? {} : { member }), path: "", expected, received, message });
  const files = await listDirectory(root, limits, record);
  if (files === undefined) {
    record("TOO_MANY_MEMBERS", "", `at most ${limits.maxMembers} members`, "more", `directory holds more than ${limits.maxMembers} members`);
    return issues;
  }
  // Known members first in archive order, then anything else, so reports read like a tar listing.
  const rank = (name: string) => {
    const index = (ARCHIVE_MEMBERS as readonly string[]).indexOf(name);
    return index === -1 ? ARCHIVE_MEMBERS.length : index;
  };
  files.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
  if (files.length > limits.maxMembers) {
    record(
      "TOO_MANY_MEMBERS",
      "",
      `at most ${limits.maxMembers} members`,
      String(files.length),
      `directory holds ${files.length} files, more than ${limits.maxMembers}`,
    );
    return issues;
  }
  let total = 0;
  for (const { name, size } of files) {
    const problem = nameProblem(name);
    if (problem !== undefined) {
      record("MEMBER_NAME_UNSAFE", name, "a plain relative path", JSON.stringify(name), `member name ${JSON.stringify(name)} ${problem}`);
      continue;
    }
    if (size > limits.maxMemberBytes) {
      record(
        "MEMBER_TOO_LARGE",
        name,
        `at most ${limits.maxMemberBytes} bytes`,
        `${size} bytes`,
        `member ${JSON.stringify(name)} has ${size} bytes, over the limit of ${limits.maxMemberBytes}`,
      );
      continue;
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      record("ARCHIVE_TOO_LARGE", name, `at most ${limits.maxTotalBytes} bytes in total`, "more", `directory holds more than ${limits.maxTotalBytes} bytes`);
      return issues;
    }
    const sink: MemberSink | undefined = visit(name, size);
    if (sink !== undefined) await streamFile(root, name, size, sink);
  }
  return issues;
}

type RecordIssue = (code: string, member: string, expected: string, received: string, message: string) => void;

// The regular files under `root` (other entries are recorded as issues), or undefined when there are
// too many entries. Every entry counts towards the member limit while walking, so a directory of a
// million files (or a deep tree) is refused before its listing fills memory.
async function listDirectory(root: string, limits: ReadLimits, record: RecordIssue): Promise<{ name: string; size: number }[] | undefined> {
  const files: { name: string; size: number }[] = [];
  let seen = 0;
  let overflow = false;
  const walk = async (relative: string, depth: number): Promise<void> => {
    if (overflow) return;
    if (depth > MAX_DIRECTORY_DEPTH) {
      record(
        "MEMBER_NAME_UNSAFE",
        relative,
        `at most ${MAX_DIRECTORY_DEPTH} directory levels`,
        "deeper",
        `directory ${JSON.stringify(relative)} nests deeper than any archive member`,
      );
      return;
    }
    let entries: string[];
    try {
      entries = await fsPromises().readdir(relative === "" ? root : join(root, relative));
    } catch (cause) {
      throw new ArchiveReadError(root, describeCause(cause), { cause });
    }
    seen += entries.length;
    if (seen > limits.maxMembers * 4) {
      overflow = true;
      return;
    }
    for (const entry of entries.sort()) {
      const name = relative === "" ? entry : `${relative}/${entry}`;
      const info = await fsPromises().lstat(join(root, name));
      if (info.isDirectory()) await walk(name, depth + 1);
      else if (info.isFile()) files.push({ name, size: info.size });
      else {
        const kind = info.isSymbolicLink() ? "symbolic link" : "special file";
        record("MEMBER_NOT_REGULAR_FILE", name, "a regular file", kind, `member ${JSON.stringify(name)} is a ${kind}; an archive holds only regular files`);
      }
    }
  };
  await walk("", 0);
  return overflow ? undefined : files;
}

// Streams at most `size` bytes of one member file into its sink, then ends the sink.
async function streamFile(root: string, name: string, size: number, sink: MemberSink): Promise<void> {
  let seen = 0;
  try {
    for await (const chunk of createReadStream(join(root, name), { highWaterMark: READ_CHUNK })) {
      const bytes = chunk as Uint8Array;
      // A file growing while it is read must not push a member past its limit.
      const take = Math.min(bytes.length, size - seen);
      if (take > 0) sink.write(bytes.subarray(0, take));
      seen += take;
      if (seen >= size) break;
    }
  } catch (cause) {
    throw new ArchiveReadError(root, `${name}: ${describeCause(cause)}`, { cause });
  }
  sink.end();
}

// node:fs/promises when a directory is read, not when evidence is imported (~0.6 ms of the
// start-up of every command that loads evidence).
function fsPromises(): typeof import("node:fs/promises") {
  return process.getBuiltinModule("node:fs/promises");
}
