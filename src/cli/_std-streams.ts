import { fstatSync, type Stats, writeSync } from "node:fs";

// Standard output and error written through their descriptors, not `process.stdout`/`process.stderr`:
// creating those Node streams (any access to the property does) costs ~10 ms of every short
// command's start-up, twice the whole of a compiled hello-world. Writes are synchronous and in order.

/** Writes `text` whole to standard output before returning. */
export function writeStdout(text: string): void {
  writeWhole(1, Buffer.from(text));
}

/** Writes `text` whole to standard error before returning. */
export function writeStderr(text: string): void {
  writeWhole(2, Buffer.from(text));
}

/** Writes every byte of `bytes` to `fd`; a full non-blocking pipe (a slow reader) is waited for, not an error. */
export function writeWhole(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeAvailable(fd, bytes, done);
}

/** Whether `fd` is a terminal, as `process.stderr.isTTY` would say, mostly without loading node:tty. */
export function isTerminal(fd: number): boolean {
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch {
    return false;
  }
  // A pipe, a socket or a file: never a terminal, and no need for node:tty (~5 ms to load).
  if (!stats.isCharacterDevice()) return false;
  // Linux's memory devices (major 1: /dev/null, /dev/zero, /dev/full, …) are not terminals either.
  if (process.platform === "linux" && Math.floor(stats.rdev / 256) % 4096 === 1) return false;
  return process.getBuiltinModule("node:tty").isatty(fd);
}

// --- internal ---

// Writes what it can of `bytes` from `offset`. A standard stream may be a non-blocking pipe whose
// reader is slower than us: EAGAIN then means "wait", not "fail".
function writeAvailable(fd: number, bytes: Uint8Array, offset: number): number {
  for (;;) {
    try {
      return writeSync(fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Bun.sleepSync(1);
    }
  }
}
