import { closeSync, constants, openSync } from "node:fs";
import { join } from "node:path";
import { mayPtraceChild, readHostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import type { ArmedCapture, CaptureBackend, CaptureLoss, CaptureOutcome, CaptureProbe, CaptureTarget, KernelRecord, TraceeExit } from "../types.ts";
import { STRACE_OUTPUT_OPTIONS, STRACE_SYSCALLS, StraceDecoder } from "./decode.ts";
import { LiveStraceOutput } from "./live-output.ts";

/**
 * The ptrace backend: the workload runs under `strace -f --seccomp-bpf`, which writes every traced
 * call into a FIFO the runner reads and decodes while the run goes on, so strace's output (paths,
 * argv) never lands in a file.
 */
export const ptraceBackend: CaptureBackend = {
  name: "ptrace",
  probe: async () => probePtrace(),
  arm: async (target) => {
    if (target === undefined) throw new CaptureHostError("CAPTURE_TARGET_MISSING", "ptrace capture needs a scratch directory from the session");
    return armPtrace(target);
  },
};

/** The strace argv that wraps a workload, writing to `outPath` (exported for the overhead bench). */
export function straceCommand(stracePath: string, outPath: string, argv: readonly string[]): string[] {
  return [stracePath, "-f", "--seccomp-bpf", ...STRACE_OUTPUT_OPTIONS, "-e", `trace=${STRACE_SYSCALLS}`, "-o", outPath, "--", ...argv];
}

// --- internal ---

async function probePtrace(): Promise<CaptureProbe> {
  const facts = readHostFacts();
  const unavailable = (reason: string): CaptureProbe => ({ backend: "ptrace", available: false, reason, version: facts.straceVersion ?? "" });
  if (!facts.isLinux) return unavailable("ptrace capture needs Linux");
  if (facts.stracePath === undefined) return unavailable("strace is not installed (Debian: apt-get install strace)");
  if (!mayPtraceChild(facts)) return unavailable(`Yama ptrace_scope=${facts.yamaPtraceScope} forbids tracing the workload`);
  return { backend: "ptrace", available: true, reason: `strace at ${facts.stracePath}`, version: facts.straceVersion ?? "strace" };
}

async function armPtrace(target: CaptureTarget): Promise<ArmedCapture> {
  const facts = readHostFacts();
  const stracePath = facts.stracePath;
  if (stracePath === undefined) throw new CaptureHostError("CAPTURE_UNAVAILABLE", "strace is not installed");
  const fifo = join(target.scratchDir, "strace.fifo");
  // A FIFO holds no bytes on disk: what strace writes exists only in the pipe and the runner.
  const made = Bun.spawnSync(["mkfifo", "-m", "600", fifo], { stdio: ["ignore", "ignore", "pipe"] });
  if (made.exitCode !== 0) throw new CaptureHostError("CAPTURE_UNAVAILABLE", `cannot create strace's FIFO ${fifo}: ${made.stderr.toString().trim() || `mkfifo exited ${made.exitCode}`}`);
  let resolveEnded: (exit: TraceeExit) => void = () => {};
  const ended = new Promise<TraceeExit>((resolve) => {
    resolveEnded = resolve;
  });
  const output = new LiveStraceOutput(resolveEnded);
  const reading = readFifo(fifo, output);
  // A read error surfaces where the run awaits the output (stop), not as an unhandled rejection.
  reading.catch(() => {});
  // Called once strace has exited: its end of the pipe is closed, or was never opened (strace
  // could not start), in which case a writer that opens and closes it ends the read.
  const drained = async (): Promise<void> => {
    for (let attempt = 0; attempt < 200 && !(await settledWithin(reading, 25)); attempt++) closeWriterEnd(fifo);
    await reading;
  };
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
        ? { records: fromArray(output.records), loss: output.loss(), streamComplete: true }
        : { records: fromArray([]), loss: missingOutput(), streamComplete: false };
      return stopped;
    },
    // On an error path strace may still run (the session's teardown ends it): end the read, never wait on it.
    [Symbol.asyncDispose]: async () => {
      closeWriterEnd(fifo);
    },
  };
}

async function readFifo(fifo: string, output: LiveStraceOutput): Promise<void> {
  // Bun reads a FIFO without blocking the event loop, and ends at the writer's close.
  for await (const chunk of Bun.file(fifo).stream()) output.push(chunk);
  output.finish();
}

function closeWriterEnd(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // Hint: ENXIO while no reader has it open yet (the next attempt comes), or it is gone.
  }
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

async function* fromArray(records: readonly KernelRecord[]): AsyncGenerator<KernelRecord> {
  yield* records;
}

// strace never wrote to its FIFO (it could not start): nothing proves the layer whole.
function missingOutput(): CaptureLoss {
  return { ...new StraceDecoder().loss(), eventSizeMismatch: 1 };
}
