import { closeSync, openSync, readSync } from "node:fs";
import { constants } from "node:os";
import type { TraceeExit, WorkloadWatch } from "../types.ts";
import { parseTraceeEnd } from "./decode.ts";

/**
 * Watches strace's output file for the workload's own end: the first pid strace writes is the
 * workload's (strace forks it, and its execve is the first traced call), and its
 * `PID +++ exited with N +++` / `PID +++ killed by SIG… +++` line is its end, while strace itself
 * lives on until every tracee is gone. Polls the file's new bytes every `intervalMs`, looking
 * only for that line's prefix (the rows are decoded once, after the run).
 */
export function watchTracee(outPath: string, intervalMs = 25): WorkloadWatch {
  let offset = 0;
  // Bytes carried over from the previous read: the head of the file until the first line is
  // complete, then the tail that could hold the start of the end line.
  let carry = "";
  let needle: string | undefined;
  let end: TraceeExit | undefined;
  let resolveEnded: (exit: TraceeExit) => void = () => {};
  const ended = new Promise<TraceeExit>((resolve) => {
    resolveEnded = resolve;
  });
  const poll = (): TraceeExit | undefined => {
    if (end !== undefined) return end;
    const read = readFrom(outPath, offset);
    offset += read.length;
    let text = carry + read.toString("latin1");
    if (needle === undefined) {
      const firstLine = /^(\d+) [^\n]*\n/.exec(text);
      if (firstLine === null) {
        carry = text;
        return undefined;
      }
      needle = `\n${firstLine[1]} +++ `;
      // The first line itself can be the end (a workload that never execs is not traced that far).
      text = `\n${text}`;
    }
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      const lineEnd = text.indexOf("\n", at + 1);
      if (lineEnd < 0) {
        carry = text.slice(at);
        return undefined;
      }
      // Other `+++` lines of that pid (`superseded by execve`) are not its end.
      const exit = parseTraceeEnd(text.slice(at + 1, lineEnd));
      if (exit !== undefined) {
        const signal = exit.signalName === null ? null : ((constants.signals as Record<string, number | undefined>)[exit.signalName] ?? null);
        end = { exitCode: exit.exitCode, signal };
        resolveEnded(end);
        clearInterval(timer);
        return end;
      }
    }
    carry = text.slice(Math.max(0, text.length - needle.length));
    return undefined;
  };
  const timer = setInterval(poll, intervalMs);
  return { ended, poll, [Symbol.dispose]: () => clearInterval(timer) };
}

// --- internal ---

function readFrom(path: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const chunks: Buffer[] = [];
    for (let position = offset; ; ) {
      const buffer = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n <= 0) break;
      chunks.push(buffer.subarray(0, n));
      position += n;
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}
