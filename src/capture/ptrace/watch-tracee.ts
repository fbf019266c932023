import { closeSync, openSync, readSync } from "node:fs";
import { constants } from "node:os";
import type { TraceeExit, WorkloadWatch } from "../types.ts";
import { parseTraceeEnd } from "./decode.ts";

/**
 * Watches strace's output file for the workload's own end: the first pid strace writes is the
 * workload's (strace forks it, and its execve is the first traced call), and its
 * `PID +++ exited with N +++` / `PID +++ killed by SIG… +++` line is its end, while strace itself
 * lives on until every tracee is gone. Polls the file's new bytes every `intervalMs`, looking
 * only at `+++` lines (the rows are decoded once, after the run).
 */
export function watchTracee(outPath: string, intervalMs = 25): WorkloadWatch {
  let offset = 0;
  // Bytes carried over from the previous read: the head of the file until the first line is
  // complete, then the tail that could hold the start of the end line.
  let carry = "";
  let workloadPid: number | undefined;
  let end: TraceeExit | undefined;
  let resolveEnded: (exit: TraceeExit) => void = () => {};
  const ended = new Promise<TraceeExit>((resolve) => {
    resolveEnded = resolve;
  });
  const poll = (): TraceeExit | undefined => {
    if (end !== undefined) return end;
    const read = readFrom(outPath, offset);
    offset += read.length;
    const text = carry + read.toString("latin1");
    // Only whole lines are looked at; the unfinished last one waits for the next read.
    const complete = text.lastIndexOf("\n") + 1;
    carry = text.slice(complete);
    if (workloadPid === undefined) {
      const first = /^(\d+) /.exec(text);
      if (first === null || complete === 0) {
        carry = text;
        return undefined;
      }
      workloadPid = Number(first[1]);
    }
    // strace pads pids (`6881  +++ exited with 0 +++`): find the few `+++` lines, then their pid.
    for (let at = text.indexOf(" +++ ", 0); at >= 0 && at < complete; at = text.indexOf(" +++ ", at + 1)) {
      const lineStart = text.lastIndexOf("\n", at) + 1;
      const lineEnd = text.indexOf("\n", at);
      const exit = parseTraceeEnd(text.slice(lineStart, lineEnd));
      // Other `+++` lines (`superseded by execve`) and other pids are not the workload's end.
      if (exit === undefined || exit.pid !== workloadPid) continue;
      const signal = exit.signalName === null ? null : ((constants.signals as Record<string, number | undefined>)[exit.signalName] ?? null);
      end = { exitCode: exit.exitCode, signal };
      resolveEnded(end);
      clearInterval(timer);
      return end;
    }
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
