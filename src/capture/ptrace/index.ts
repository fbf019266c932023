import { existsSync } from "node:fs";
import { join } from "node:path";
import { mayPtraceChild, readHostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import { readLines } from "../read-lines.ts";
import type { ArmedCapture, CaptureBackend, CaptureLoss, CaptureOutcome, CaptureProbe, CaptureTarget, KernelRecord } from "../types.ts";
import { STRACE_OUTPUT_OPTIONS, STRACE_SYSCALLS, StraceDecoder } from "./decode.ts";
import { watchTracee } from "./watch-tracee.ts";

/** The ptrace backend: the workload runs under `strace -f --seccomp-bpf`, which writes every traced call to a file. */
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
  const outPath = join(target.scratchDir, "strace.out");
  let stopped: CaptureOutcome | undefined;
  return {
    backend: "ptrace",
    version: `ptrace ${facts.straceVersion ?? "strace"}`,
    // strace runs inside the session, with the workload.
    helpers: [],
    // strace is what the runner spawns inside the session: the tracer lives there until its
    // tracees exit, and the runner's own move into the session happens before tracing starts.
    command: (argv) => straceCommand(stracePath, outPath, argv),
    // strace waits for every tracee; the workload's own end is in its output first.
    watchWorkload: () => watchTracee(outPath),
    stop: async () => {
      if (stopped) return stopped;
      // strace has exited with the workload: the file is complete, nothing is left to drain.
      // No output at all: strace never ran, so nothing says the session was observed.
      stopped = existsSync(outPath)
        ? { records: records(outPath), loss: await lossOf(outPath), streamComplete: true }
        : { records: none(), loss: missingOutput(), streamComplete: false };
      return stopped;
    },
    [Symbol.asyncDispose]: async () => {},
  };
}

async function lossOf(outPath: string): Promise<CaptureLoss> {
  const decoder = new StraceDecoder();
  for await (const line of readLines(outPath)) decoder.push(line);
  return decoder.loss();
}

async function* records(outPath: string): AsyncGenerator<KernelRecord> {
  const decoder = new StraceDecoder();
  for await (const line of readLines(outPath)) {
    const record = decoder.push(line);
    if (record) yield record;
  }
}

async function* none(): AsyncGenerator<KernelRecord> {}

// strace never wrote its file (it could not start): nothing proves the layer whole.
function missingOutput(): CaptureLoss {
  return { ...new StraceDecoder().loss(), eventSizeMismatch: 1 };
}
