import { existsSync, statSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import type { CgroupSession } from "../linux/index.ts";
import type { WorkloadEnd } from "./run-events.ts";
import { RunInputError } from "./run-errors.ts";

/** Why the runner cut the workload short, if it did. */
export type Interruption =
  | { readonly kind: "timeout"; readonly afterMs: number }
  | { readonly kind: "signal"; readonly signal: "SIGINT" | "SIGTERM" };

/** How the workload and its session ended. */
export interface WorkloadOutcome {
  readonly end: WorkloadEnd;
  readonly interruption: Interruption | undefined;
  /** Descendants outlived the workload's direct child by more than the kill grace and were killed. */
  readonly descendantsKilled: boolean;
}

/** What supervising a workload needs. */
export interface WorkloadOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The session the workload must be inside before its program starts; undefined runs it without one. */
  readonly session: CgroupSession | undefined;
  /** A private directory for the join-failure marker. */
  readonly scratchDir: string;
  readonly timeoutMs: number | undefined;
  readonly killGraceMs: number;
  /** Resolves when the runner itself is asked to stop (SIGINT/SIGTERM). */
  readonly interrupted: Promise<"SIGINT" | "SIGTERM">;
  /** Called right after the workload process exists. */
  readonly onSpawn?: (pid: number) => void;
  /** Send the workload's stdout to the runner's stderr (when stdout carries a JSON document). */
  readonly stdoutToStderr?: boolean;
}

/**
 * The shim that joins the session and then becomes the workload: `exec` keeps the pid, so the
 * workload's program starts inside the session (Bun has no pre-exec hook). `$0` is cgroup.procs,
 * `$1` a marker written only when joining fails, the rest the workload argv.
 */
export const JOIN_SESSION_SHIM = 'echo $$ > "$0" || { : > "$1"; exit 125; }; shift; exec "$@"';

/**
 * Runs the workload to its end: inside the session when there is one, with the wall-clock timeout
 * and the runner's own signals turned into SIGTERM, a grace period and then `cgroup.kill`.
 */
export async function superviseWorkload(options: WorkloadOptions): Promise<WorkloadOutcome> {
  const program = options.argv[0] ?? "";
  if (!resolveProgram(program, options.env.PATH)) {
    throw new RunInputError("WORKLOAD_NOT_FOUND", `cannot run the workload: ${program} was not found or is not executable`, program);
  }
  const marker = join(options.scratchDir, "join-failed");
  const argv = options.session
    ? ["/bin/sh", "-c", JOIN_SESSION_SHIM, options.session.procsFile, marker, ...options.argv]
    : [...options.argv];
  let child: Bun.Subprocess;
  try {
    child = Bun.spawn(argv, { env: { ...options.env }, stdio: ["inherit", options.stdoutToStderr ? 2 : "inherit", "inherit"] });
  } catch (error) {
    throw new RunInputError("SPAWN_FAILED", `cannot start the workload ${program}: ${(error as Error).message}`, program, { cause: error });
  }
  options.onSpawn?.(child.pid);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<Interruption>((resolve) => {
    if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve({ kind: "timeout", afterMs: options.timeoutMs ?? 0 }), options.timeoutMs);
  });
  const signalled = options.interrupted.then((signal): Interruption => ({ kind: "signal", signal }));
  const first = await Promise.race([child.exited.then(() => undefined), timedOut, signalled]);
  clearTimeout(timer);

  let descendantsKilled = false;
  if (first !== undefined) {
    await terminate(child, options.session, options.killGraceMs);
  } else if (options.session && !(await options.session.waitUntilEmpty(options.killGraceMs))) {
    // deviation: upstream's run ends with the direct child and leaves descendants running until
    // teardown (§3.1); we wait for the whole session, then kill what is left, and note it.
    // The direct child is gone but something it started is still running (a daemon, a straggler).
    descendantsKilled = true;
    await options.session.killAll();
  }
  await child.exited;
  if (existsSync(marker)) {
    throw new RunInputError("SPAWN_FAILED", `cannot place the workload in the session cgroup ${options.session?.path ?? ""}; it was not run`);
  }
  return { end: endOf(child), interruption: first, descendantsKilled };
}

// --- internal ---

async function terminate(child: Bun.Subprocess, session: CgroupSession | undefined, graceMs: number): Promise<void> {
  if (session) {
    session.signalAll("SIGTERM");
    const deadline = Date.now() + graceMs;
    if ((await within(child.exited, graceMs)) !== TIMED_OUT) {
      if (await session.waitUntilEmpty(Math.max(0, deadline - Date.now()))) return;
    }
    await session.killAll();
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
