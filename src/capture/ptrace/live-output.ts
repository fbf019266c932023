import { constants } from "node:os";
import type { CaptureLoss, KernelRecord, TraceeExit } from "../types.ts";
import { parseTraceeEnd, StraceDecoder } from "./decode.ts";

/**
 * strace's output as it is written (pure: chunks in, records out): decodes each complete line,
 * keeps the first attempt of each (flags, path) open (what the normalizer keeps; the rest would
 * only cost memory), and watches for the workload's own end — the first pid strace writes is the
 * workload's (strace forks it; its execve is the first traced call), and that pid's
 * `PID +++ exited with N +++` / `PID +++ killed by SIG… +++` line is its end, while strace
 * itself lives on until every tracee is gone.
 */
export class LiveStraceOutput {
  readonly #decoder = new StraceDecoder();
  readonly #records: KernelRecord[] = [];
  readonly #opens = new Set<string>();
  readonly #onEnd: (exit: TraceeExit) => void;
  #partial = "";
  #workloadPid: number | undefined;
  #end: TraceeExit | undefined;
  #sawOutput = false;

  constructor(onEnd: (exit: TraceeExit) => void = () => {}) {
    this.#onEnd = onEnd;
  }

  /** Takes the next chunk of output (strace writes ASCII: `-xx` escapes every string byte). */
  push(chunk: Uint8Array | string): void {
    if (chunk.length === 0) return;
    this.#sawOutput = true;
    const text = this.#partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1"));
    let start = 0;
    for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
      this.#line(text.slice(start, newline));
      start = newline + 1;
    }
    this.#partial = text.slice(start);
  }

  /** Ends the output (strace closed it): a last line without its newline is read too. */
  finish(): void {
    if (this.#partial !== "") this.#line(this.#partial);
    this.#partial = "";
  }

  /** Whether strace wrote anything at all. */
  get sawOutput(): boolean {
    return this.#sawOutput;
  }

  /** The workload's own end, once strace wrote it. */
  get end(): TraceeExit | undefined {
    return this.#end;
  }

  /** The decoded records in arrival order, repeated opens left out. */
  get records(): readonly KernelRecord[] {
    return this.#records;
  }

  /** The decoder's loss record (undecodable lines, cut strings, per-hook counts). */
  loss(): CaptureLoss {
    return this.#decoder.loss();
  }

  #line(line: string): void {
    if (this.#workloadPid === undefined) {
      const pid = /^(\d+) /.exec(line)?.[1];
      if (pid !== undefined) this.#workloadPid = Number(pid);
    }
    if (this.#end === undefined && line.includes(" +++ ")) {
      // Other `+++` lines (`superseded by execve`) and other pids are not the workload's end.
      const exit = parseTraceeEnd(line);
      if (exit !== undefined && exit.pid === this.#workloadPid) {
        const signal = exit.signalName === null ? null : ((constants.signals as Record<string, number | undefined>)[exit.signalName] ?? null);
        this.#end = { exitCode: exit.exitCode, signal };
        this.#onEnd(this.#end);
      }
    }
    const record = this.#decoder.push(line);
    if (record === undefined) return;
    if (record.eventType === 1) {
      const key = `${record.flags ?? 0}\u0000${record.value ?? ""}`;
      if (this.#opens.has(key)) return;
      this.#opens.add(key);
    }
    this.#records.push(record);
  }
}
