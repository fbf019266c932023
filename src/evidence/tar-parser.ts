import type { Issue } from "../schema/index.ts";
import { TAR_BLOCK } from "./tar-header.ts";

/** Bounds every archive read respects, so hostile input cannot exhaust memory, disk or time. */
export interface ReadLimits {
  /** Most members (regular files) an archive may hold. */
  readonly maxMembers: number;
  /** Largest single member, in bytes. */
  readonly maxMemberBytes: number;
  /** Most uncompressed bytes read in total (tar stream or directory); stops gzip bombs. */
  readonly maxTotalBytes: number;
}

/** Defaults: room for a kernel layer of a few GiB; a gzip bomb is cut off after 4 GiB of output, read in constant memory. */
export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxMembers: 64,
  maxMemberBytes: 3 * 2 ** 30,
  maxTotalBytes: 4 * 2 ** 30,
};

/** Receives one member's bytes in order. */
export interface MemberSink {
  write(chunk: Uint8Array): void;
  end(): void;
}

/** Told about each regular-file member; returns a sink for its bytes, or undefined to skip them. */
export type MemberVisitor = (name: string, size: number) => MemberSink | undefined;

/**
 * Incremental parser of a tar stream: feed it chunks, it checks each header (checksum, regular
 * file, safe unique name, limits) and hands member bytes to the visitor. A problem that makes the
 * rest unreadable stops it (`stopped`); others are recorded and parsing goes on.
 */
export class TarParser {
  readonly issues: Issue[] = [];
  /** Whether parsing stopped early on a problem that makes the rest of the stream unreadable. */
  stopped = false;
  private readonly names = new Set<string>();
  private readonly header = new Uint8Array(TAR_BLOCK);
  private headerFill = 0;
  private dataLeft = 0;
  private paddingLeft = 0;
  private sink: MemberSink | undefined;
  private currentName = "";
  private zeroBlocks = 0;
  private trailingZeros = 0;
  private members = 0;

  constructor(
    private readonly file: string,
    private readonly visit: MemberVisitor,
    private readonly limits: ReadLimits,
  ) {}

  /** Feeds the next chunk of the uncompressed tar stream. */
  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length && !this.stopped) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, chunk.length - offset);
        this.sink?.write(chunk.subarray(offset, offset + take));
        this.dataLeft -= take;
        offset += take;
        if (this.dataLeft === 0) this.finishMember();
        continue;
      }
      if (this.paddingLeft > 0) {
        const take = Math.min(this.paddingLeft, chunk.length - offset);
        this.paddingLeft -= take;
        offset += take;
        continue;
      }
      if (this.zeroBlocks >= 2) {
        offset = this.trailing(chunk, offset);
        continue;
      }
      const take = Math.min(TAR_BLOCK - this.headerFill, chunk.length - offset);
      this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
      this.headerFill += take;
      offset += take;
      if (this.headerFill === TAR_BLOCK) {
        this.headerFill = 0;
        this.onHeader();
      }
    }
  }

  /** Signals the end of input; reports a stream cut short. */
  finish(): void {
    if (this.stopped) return;
    if (this.dataLeft > 0 || this.paddingLeft > 0) {
      this.sink = undefined;
      this.stop(
        "TAR_TRUNCATED",
        this.currentName,
        "the whole member",
        `stream ends ${this.dataLeft} bytes into member data`,
        `tar stream is truncated inside member ${JSON.stringify(this.currentName)}`,
      );
    } else if (this.headerFill > 0) {
      this.stop("TAR_TRUNCATED", "", "a whole 512-byte header", `${this.headerFill} bytes`, "tar stream is truncated inside a header block");
    } else if (this.zeroBlocks < 2) {
      this.stop(
        "TAR_TRUNCATED",
        "",
        "two zero blocks at the end",
        `${this.zeroBlocks}`,
        "tar stream has no end-of-archive marker (two zero blocks); it is truncated",
      );
    }
  }

  // --- internal ---

  private onHeader(): void {
    const h = this.header;
    if (isZeroBlock(h)) {
      this.zeroBlocks++;
      return;
    }
    if (this.zeroBlocks > 0) {
      this.stop(
        "TAR_MALFORMED",
        "",
        "a header or the second zero block",
        "a header after one zero block",
        "tar stream has a header after an end-of-archive block",
      );
      return;
    }
    const recorded = readOctal(h, 148, 8);
    const computed = checksum(h);
    if (recorded === undefined || recorded !== computed) {
      this.stop(
        "TAR_BAD_CHECKSUM",
        "",
        String(computed),
        recorded === undefined ? "an unreadable field" : String(recorded),
        `tar header ${this.members + 1} has a bad checksum; the archive is corrupt`,
      );
      return;
    }
    const name = readName(h);
    const size = readOctal(h, 124, 12);
    if (size === undefined) {
      this.stop("TAR_MALFORMED", name, "an octal size", "an unreadable size field", `tar header of ${JSON.stringify(name)} has an unreadable size field`);
      return;
    }
    if (size > this.limits.maxMemberBytes) {
      this.stop(
        "MEMBER_TOO_LARGE",
        name,
        `at most ${this.limits.maxMemberBytes} bytes`,
        `${size} bytes`,
        `member ${JSON.stringify(name)} declares ${size} bytes, over the limit of ${this.limits.maxMemberBytes}`,
      );
      return;
    }
    this.members++;
    if (this.members > this.limits.maxMembers) {
      this.stop("TOO_MANY_MEMBERS", name, `at most ${this.limits.maxMembers} members`, `more`, `archive holds more than ${this.limits.maxMembers} members`);
      return;
    }
    this.currentName = name;
    this.dataLeft = size;
    this.paddingLeft = (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
    this.sink = undefined;
    const type = h[156]!;
    if (type !== 0 && type !== 0x30) {
      this.record(
        "MEMBER_NOT_REGULAR_FILE",
        name,
        "a regular file",
        TYPE_NAMES[type] ?? `type ${JSON.stringify(String.fromCharCode(type))}`,
        `member ${JSON.stringify(name)} is a ${TYPE_NAMES[type] ?? "non-regular entry"}; an archive holds only regular files`,
      );
    } else if (this.checkName(name)) {
      this.sink = this.visit(name, size);
    }
    if (size === 0) this.finishMember();
  }

  private checkName(name: string): boolean {
    const problem = nameProblem(name);
    if (problem !== undefined) {
      this.record("MEMBER_NAME_UNSAFE", name, "a relative path without '..'", JSON.stringify(name), `member name ${JSON.stringify(name)} ${problem}`);
      return false;
    }
    if (this.names.has(name)) {
      this.record("MEMBER_DUPLICATE", name, "each member once", "a second copy", `member ${JSON.stringify(name)} appears more than once`);
      return false;
    }
    this.names.add(name);
    return true;
  }

  private finishMember(): void {
    this.sink?.end();
    this.sink = undefined;
  }

  // After the end marker only zero padding (up to one 10240-byte record) may follow.
  private trailing(chunk: Uint8Array, offset: number): number {
    for (let i = offset; i < chunk.length; i++) {
      if (chunk[i] !== 0 || ++this.trailingZeros > MAX_TRAILING_ZEROS) {
        this.stop(
          "TRAILING_DATA",
          "",
          "nothing after the end-of-archive marker",
          chunk[i] !== 0 ? "non-zero bytes" : `more than ${MAX_TRAILING_ZEROS} zero bytes`,
          "data follows the tar end-of-archive marker",
        );
        return chunk.length;
      }
    }
    return chunk.length;
  }

  private record(code: string, member: string, expected: string, received: string, message: string): void {
    this.issues.push({ code, file: this.file, ...(member === "" ? {} : { member }), path: "", expected, received, message });
  }

  private stop(code: string, member: string, expected: string, received: string, message: string): void {
    this.record(code, member, expected, received, message);
    this.stopped = true;
  }
}

/** Why a member name is unsafe (absolute, `..`, empty segments, control characters), or undefined if it is fine. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name.startsWith("/")) return "is absolute";
  if (name.includes("\\")) return "contains a backslash";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "contains a control character";
  const segments = name.split("/");
  if (segments.includes("..")) return "climbs out of the archive with '..'";
  if (segments.some((s) => s === "" || s === ".")) return "has an empty or '.' path segment";
  return undefined;
}

// --- internal ---

const MAX_TRAILING_ZEROS = 10240;
const DECODER = new TextDecoder("utf-8");

const TYPE_NAMES: Record<number, string> = {
  0x31: "hard link",
  0x32: "symbolic link",
  0x33: "character device",
  0x34: "block device",
  0x35: "directory",
  0x36: "FIFO",
  0x37: "contiguous file",
  0x78: "pax extended header",
  0x67: "pax global header",
  0x4c: "GNU long name record",
  0x4b: "GNU long link record",
  0x53: "GNU sparse file",
};

function readName(h: Uint8Array): string {
  const end = h.indexOf(0);
  const name = DECODER.decode(h.subarray(0, end === -1 || end > 100 ? 100 : end));
  // POSIX ustar (`ustar\0`) may split long names into prefix (offset 345) + name.
  const isPosix = h[257] === 0x75 && h[262] === 0 && h[263] === 0x30;
  if (!isPosix || h[345] === 0) return name;
  const prefixEnd = h.indexOf(0, 345);
  const prefix = DECODER.decode(h.subarray(345, prefixEnd === -1 || prefixEnd > 500 ? 500 : prefixEnd));
  return `${prefix}/${name}`;
}

function readOctal(h: Uint8Array, offset: number, length: number): number | undefined {
  let value = 0;
  let digits = 0;
  let i = offset;
  const end = offset + length;
  while (i < end && h[i] === 0x20) i++;
  for (; i < end; i++) {
    const b = h[i]!;
    if (b === 0 || b === 0x20) break;
    if (b < 0x30 || b > 0x37) return undefined;
    value = value * 8 + (b - 0x30);
    digits++;
  }
  return digits === 0 ? undefined : value;
}

// Plain loops, not every() or a test per byte: a short command runs them cold, once per header.
function checksum(h: Uint8Array): number {
  // The checksum field itself (bytes 148–155) counts as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += h[i]!;
  for (let i = 156; i < TAR_BLOCK; i++) sum += h[i]!;
  return sum;
}

function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < TAR_BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}
