import { closeSync, openSync, readSync } from "node:fs";
import { constants } from "node:os";
import type { TraceeExit, WorkloadWatch } from "../types.ts";
import { parseTraceeEnd } from "./decode.ts";

/**
 * Watches strace's output file for the workload's own end: the first pid strace writes is the
 * workload's (strace forks it, and its execve is the first traced call), and its
 * `+++ exited with N +++` / `+++ killed by SIG… +++` line is its end, while strace itself lives
 * on until every tracee is gone. Polls the file's new bytes every `intervalMs`.
 */
export function watchTracee(outPath: string, intervalMs = 25): WorkloadWatch {
  let offset = 0;
  let partial = "";
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
    const text = partial + read.toString("latin1");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (workloadPid === undefined) workloadPid = Number(/^(\d+) /.exec(line)?.[1] ?? Number.NaN);
      const exit = parseTraceeEnd(line);
      if (exit === undefined || exit.pid !== workloadPid) continue;
      const signal = exit.signalName === null ? null : ((constants.signals as Record<string, number | undefined>)[exit.signalName] ?? null);
      end = { exitCode: exit.exitCode, signal };
      resolveEnded(end);
      clearInterval(timer);
      break;
    }
    return end;
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
