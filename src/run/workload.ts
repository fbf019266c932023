import { statSync } from "node:fs";
import { constants } from "node:os";
import type { WorkloadWatch } from "../capture/index.ts";
import { LinuxHostError, type CgroupSession } from "../linux/index.ts";
import type { WorkloadEnd } from "./run-events.ts";
import { RunInputError } from "./run-errors.ts";

/** Why the runner cut the workload short, if it did. */
export type Interruption = { readonly kind: "timeout"; readonly afterMs: number } | { readonly kind: "signal"; readonly signal: "SIGINT" | "SIGTERM" };

/** How the workload and its session ended. */
export interface WorkloadOutcome {
  readonly end: WorkloadEnd;
  readonly interruption: Interruption | undefined;
  /** Descendants outlived the workload by more than the kill grace and were killed. */
  readonly descendantsKilled: boolean;
}

/** What supervising a workload needs. */
export interface WorkloadOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The session the workload must be inside before its program starts; undefined runs it without one. */
  readonly session: CgroupSession | undefined;
  /** A private directory of the run (kept for callers; nothing is written there). */
  readonly scratchDir: string;
  readonly timeoutMs: number | undefined;
  readonly killGraceMs: number;
  /** Resolves when the runner itself is asked to stop (SIGINT/SIGTERM). */
  readonly interrupted: Promise<"SIGINT" | "SIGTERM">;
  /** Called right after the workload process exists. */
  readonly onSpawn?: (pid: number) => void;
  /** Send the workload's stdout to the runner's stderr (when stdout carries a JSON document). */
  readonly stdoutToStderr?: boolean;
  /**
   * When `argv` starts a tracer that runs the workload (ptrace): a watch for the workload's own
   * end. The tracer is then spared from signals and kills until the workload's descendants are gone.
   */
  readonly watchWorkload?: () => WorkloadWatch;
}

/**
 * Runs the workload to its end: inside the session when there is one (spawned there directly,
 * so argv and environment reach it unchanged), with the wall-clock timeout and the runner's own
 * signals turned into SIGTERM, a grace period and then `cgroup.kill`.
 *
 * The workload's own end is the end, under every backend: once it has exited, whatever it left
 * behind in the session gets `killGraceMs` to finish, then is killed (`descendantsKilled`), and
 * the timeout no longer applies. Under ptrace the direct child is strace, which waits for every
 * tracee, so the workload's end is read from strace's output instead of strace's exit.
 */
export async function superviseWorkload(options: WorkloadOptions): Promise<WorkloadOutcome> {
  const program = options.argv[0] ?? "";
  if (!resolveProgram(program, options.env.PATH)) {
    throw new RunInputError("WORKLOAD_NOT_FOUND", `cannot run the workload: ${program} was not found or is not executable`, program);
  }
  const spawn = (): Bun.Subprocess => {
    try {
      return Bun.spawn([...options.argv], { env: { ...options.env }, stdio: ["inherit", options.stdoutToStderr ? 2 : "inherit", "inherit"] });
    } catch (error) {
      throw new RunInputError("SPAWN_FAILED", `cannot start the workload ${program}: ${(error as Error).message}`, program, { cause: error });
    }
  };
  let child: Bun.Subprocess;
  try {
    child = options.session ? options.session.spawnInside(spawn) : spawn();
  } catch (error) {
    if (!(error instanceof LinuxHostError)) throw error;
    throw new RunInputError("SPAWN_FAILED", `cannot place the workload in the session cgroup ${options.session?.path ?? ""}; it was not run`, undefined, {
      cause: error,
    });
  }
  options.onSpawn?.(child.pid);
  using watch = options.watchWorkload?.();
  // The tracer is the direct child: it must outlive its tracees to write what they did.
  const tracer = watch === undefined ? undefined : child.pid;
  const childEnd = child.exited.then(() => endOf(child));
  const workloadEnd = watch === undefined ? childEnd : Promise.race([watch.ended, childEnd]);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<Interruption>((resolve) => {
    if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve({ kind: "timeout", afterMs: options.timeoutMs ?? 0 }), options.timeoutMs);
  });
  const signalled = options.interrupted.then((signal): Interruption => ({ kind: "signal", signal }));
  const first = await Promise.race([workloadEnd.then(() => undefined), timedOut, signalled]);
  clearTimeout(timer);

  let descendantsKilled = false;
  if (first !== undefined) {
    await terminate(child, workloadEnd, options.session, options.killGraceMs, tracer);
  } else if (options.session && !(await options.session.waitUntilEmpty(options.killGraceMs))) {
    // deviation: upstream's run ends with the direct child and leaves descendants running until
    // teardown (§3.1); we wait for the whole session, then kill what is left, and note it.
    // The workload is gone but something it started is still running (a daemon, a straggler).
    await killLeftovers(child, options.session, tracer);
    descendantsKilled = true;
  }
  await child.exited;
  // The tracer has written everything: the workload's end is in its output, unless it never ran.
  const end = (await watch?.final()) ?? endOf(child);
  return { end, interruption: first, descendantsKilled };
}

// --- internal ---

// Kills everything but the tracer first, so it sees its tracees die and writes that out; then the rest.
async function killLeftovers(child: Bun.Subprocess, session: CgroupSession, tracer: number | undefined): Promise<boolean> {
  if (tracer !== undefined && (await session.killAllExcept(tracer))) await within(child.exited, 2000);
  return session.killAll();
}

async function terminate(
  child: Bun.Subprocess,
  workloadEnd: Promise<unknown>,
  session: CgroupSession | undefined,
  graceMs: number,
  tracer: number | undefined,
): Promise<void> {
  if (session) {
    session.signalAll("SIGTERM", tracer);
    const deadline = Date.now() + graceMs;
    if ((await within(workloadEnd, graceMs)) !== TIMED_OUT) {
      if (await session.waitUntilEmpty(Math.max(0, deadline - Date.now()))) return;
    }
    await killLeftovers(child, session, tracer);
    return;
  }
  child.kill("SIGTERM");
  if ((await within(child.exited, graceMs)) === TIMED_OUT) child.kill("SIGKILL");
}

function endOf(child: Bun.Subprocess): WorkloadEnd {
  const signalName = child.signalCode;
  if (signalName) {
    const number = (constants.signals as Record<string, number | undefined>)[signalName];
    return { exitCode: null, signal: number ?? null };
  }
  return { exitCode: child.exitCode, signal: null };
}

function resolveProgram(program: string, path: string | undefined): boolean {
  if (program.includes("/")) return isExecutableFile(program);
  return Bun.which(program, { PATH: path ?? "" }) !== null;
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

const TIMED_OUT: unique symbol = Symbol("timed out");

// A bounded wait whose timer never outlives it (a pending timer would keep the runner alive).
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
