import { closeSync, constants, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { readHostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import { recordStream } from "../record-stream.ts";
import type { ArmedCapture, CaptureLoss, CaptureOutcome, CaptureTarget, TraceeExit } from "../types.ts";
import { STRACE_OUTPUT_OPTIONS, STRACE_SYSCALLS, StraceDecoder } from "./decode.ts";
import { LiveStraceOutput } from "./live-output.ts";

// Arming the ptrace backend: strace's FIFO, the reader that decodes it while the run goes on, and
// the capture's stop. Loaded by the backend's `arm`, so a run with another backend never loads it.

/** The strace argv that wraps a workload, writing to `outPath` (exported for the overhead bench). */
export function straceCommand(stracePath: string, outPath: string, argv: readonly string[]): string[] {
  return [stracePath, "-f", "--seccomp-bpf", ...STRACE_OUTPUT_OPTIONS, "-e", `trace=${STRACE_SYSCALLS}`, "-o", outPath, "--", ...argv];
}

/** Arms strace for a run: the FIFO in the scratch directory, its live decoder, and the capture's stop. */
export async function armPtrace(target: CaptureTarget): Promise<ArmedCapture> {
  const facts = readHostFacts();
  const stracePath = facts.stracePath;
  if (stracePath === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", "strace is not installed");
  const fifo = makeFifo(join(target.scratchDir, "strace.fifo"));
  const { promise: ended, resolve: resolveEnded } = Promise.withResolvers<TraceeExit>();
  const output = new LiveStraceOutput(resolveEnded);
  const pipe = openFifo(fifo);
  // Read in batches every few ms: a read per line (a wakeup per strace write) made traced opens
  // ~1.9× slower; 5 ms keeps the 64 KiB pipe from filling (strace would wait) and overlaps the
  // decoding with the run, ~0.6× the time of writing a file and decoding it afterwards.
  let failure: unknown;
  const timer = setInterval(() => {
    try {
      pipe.drain(output);
    } catch (error) {
      // Surfaces where the run awaits the output (stop); a timer must not throw.
      failure ??= error;
      clearInterval(timer);
    }
  }, 5);
  // Called once strace has exited: its end of the pipe is closed (or was never opened); closing
  // ours makes the rest of the pipe end in EOF.
  let done = false;
  let draining: Promise<void> | undefined;
  const drained = (): Promise<void> =>
    (draining ??= (async () => {
      clearInterval(timer);
      pipe.closeWriter();
      try {
        if (failure !== undefined) throw failure;
        while (!pipe.drain(output)) await Bun.sleep(1);
        output.finish();
      } finally {
        pipe.close();
        done = true;
      }
    })());
  let stopped: CaptureOutcome | undefined;
  return {
    backend: "ptrace",
    version: `ptrace ${facts.straceVersion ?? "strace"}`,
    // strace runs inside the session, with the workload.
    helpers: [],
    // strace is what the runner spawns inside the session: the tracer lives there until its
    // tracees exit, and the runner's own move into the session happens before tracing starts.
    command: (argv) => straceCommand(stracePath, fifo, argv),
    // strace waits for every tracee; the workload's own end is in its output first.
    watchWorkload: () => ({
      ended,
      final: async () => {
        await drained();
        return output.end;
      },
      [Symbol.dispose]: () => {},
    }),
    stop: async () => {
      if (stopped) return stopped;
      await drained();
      // No output at all: strace never ran, so nothing says the session was observed.
      stopped = output.sawOutput
        ? { records: recordStream(output.records), loss: output.loss(), streamComplete: true }
        : { records: recordStream([]), loss: missingOutput(), streamComplete: false };
      return stopped;
    },
    // On an error path strace may still run (the session's teardown ends it): stop reading, never wait on it.
    [Symbol.asyncDispose]: async () => {
      if (done) return;
      clearInterval(timer);
      pipe.close();
      done = true;
    },
  };
}

// --- internal ---

// A FIFO holds no bytes on disk: what strace writes exists only in the pipe and the runner.
function makeFifo(path: string): string {
  const made = Bun.spawnSync(["mkfifo", "-m", "600", path], { stdio: ["ignore", "ignore", "pipe"] });
  if (made.exitCode !== 0) {
    const why = made.stderr.toString().trim() || `mkfifo exited ${made.exitCode}`;
    throw new CaptureHostError("CAPTURE_UNAVAILABLE", `cannot create strace's FIFO ${path}: ${why}`);
  }
  return path;
}

/** The runner's ends of strace's FIFO: a non-blocking reader, and a writer that keeps EOF away until strace is done. */
function openFifo(fifo: string): { drain(output: LiveStraceOutput): boolean; closeWriter(): void; close(): void } {
  let reader: number;
  let writer: number | undefined;
  try {
    reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new CaptureHostError("CAPTURE_UNAVAILABLE", `cannot open strace's FIFO ${fifo}: ${(error as Error).message}`, { cause: error });
  }
  const buffer = Buffer.allocUnsafe(1 << 20);
  const closeWriter = (): void => {
    if (writer !== undefined) closeSync(writer);
    writer = undefined;
  };
  return {
    // Reads what is there; true at EOF (every writer closed and the pipe empty).
    drain: (output) => {
      for (;;) {
        let n: number;
        try {
          n = readSync(reader, buffer, 0, buffer.length, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EAGAIN") return false;
          throw error;
        }
        if (n === 0) return true;
        output.push(buffer.subarray(0, n));
      }
    },
    closeWriter,
    close: () => {
      closeWriter();
      closeSync(reader);
    },
  };
}

// strace never wrote to its FIFO (it could not start): nothing proves the layer whole.
function missingOutput(): CaptureLoss {
  return { ...new StraceDecoder().loss(), eventSizeMismatch: 1 };
}
