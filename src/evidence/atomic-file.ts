import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, write, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Creates `temporary` (exclusively), lets `fill` write it through its descriptor, fsyncs and
 * closes it, renames it onto `target` and fsyncs the directory: `target` appears whole or not at
 * all. On any failure, including `signal` aborting before the rename, the temporary file is
 * removed and the error rethrown.
 */
export async function replaceAtomically(temporary: string, target: string, fill: (fd: number) => void | Promise<void>, signal: AbortSignal): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx", 0o644);
    await fill(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    signal.throwIfAborted();
    renameSync(temporary, target);
    syncDirectory(dirname(target));
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // Hint: the temporary file was never created, or the rename already moved it.
    }
    throw error;
  }
}

/** Writes all of `bytes` at the descriptor's position, synchronously. */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

/** Writes all of `bytes` at the descriptor's position through the thread pool, so other work goes on meanwhile. */
export async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += await writeOnce(fd, bytes, offset);
}

// --- internal ---

function writeOnce(fd: number, bytes: Uint8Array, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    write(fd, bytes, offset, bytes.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))),
  );
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Hint: already failing; the original error is the one to report.
  }
}

// fsync of the directory makes the rename durable; one synchronous call, not worth a thread-pool
// round trip. Some filesystems refuse a directory fsync, which is harmless.
function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // Hint: refused or unopenable: the rename itself already happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
