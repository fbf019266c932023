import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, statSync, watch, writeFileSync, writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chooseCgroupParent, type CgroupParentChoice } from "./cgroup-parent.ts";
import { LinuxHostError } from "./errors.ts";
import { findCgroup2Mount, parseMountinfo } from "./mountinfo.ts";

/** Where sessions can be created on this host, or why not. */
export type CgroupHost = { readonly ok: true; readonly mount: string; readonly parent: string } | { readonly ok: false; readonly reason: string };

/** Options for opening a session cgroup. */
export interface OpenSessionOptions {
  /** The run id the session directory is named after. */
  readonly runId: string;
  /** An explicit parent directory (`--cgroup-parent`), instead of the upstream walk. */
  readonly parent?: string | undefined;
}

/** Finds the cgroup2 mount and the parent a session would be created in, reading only host files. */
export function locateCgroupHost(parentOverride?: string): CgroupHost {
  if (process.platform !== "linux") return { ok: false, reason: `cgroup v2 sessions need Linux (this is ${process.platform})` };
  const mount = findCgroup2Mount(readOr("/proc/self/mountinfo", ""));
  if (mount === undefined) return { ok: false, reason: "no cgroup2 filesystem in /proc/self/mountinfo" };
  if (parentOverride !== undefined) {
    if (!existsSync(join(parentOverride, "cgroup.procs"))) {
      return { ok: false, reason: `--cgroup-parent ${parentOverride} is not a cgroup v2 directory (no cgroup.procs)` };
    }
    return { ok: true, mount, parent: parentOverride };
  }
  const choice: CgroupParentChoice = chooseCgroupParent({
    mount,
    procSelfCgroup: readOr("/proc/self/cgroup", ""),
    readType: (dir) => readOrUndefined(join(dir, "cgroup.type"))?.trim(),
    exists: (dir) => existsSync(dir),
  });
  return choice.ok ? { ok: true, mount, parent: choice.parent } : choice;
}

/** Creates the session cgroup `<parent>/assay-session-<run id>`; throws LinuxHostError (exit 40) when it cannot. */
export function openCgroupSession(options: OpenSessionOptions): CgroupSession {
  const host = locateCgroupHost(options.parent);
  if (!host.ok) throw new LinuxHostError("CGROUP2_NOT_MOUNTED", host.reason);
  // deviation: upstream names sessions assay-session-<epoch millis>; the run id makes a leaked
  // session traceable to its archive and stays within cgroup name rules (isSafeRunId).
  const base = join(host.parent, `assay-session-${options.runId}`);
  // A leftover of a crashed run with the same id is removed first (as upstream does); one still in
  // use by a concurrent run keeps its name and we take a pid-suffixed one.
  const path = tryRemoveEmpty(base) ? base : `${base}-${process.pid}`;
  try {
    mkdirSync(path);
  } catch (error) {
    throw new LinuxHostError("CGROUP_SESSION_CREATE_FAILED", `cannot create the session cgroup ${path}`, path, {
      cause: error,
    });
  }
  try {
    // The cgroup id the kernel reports (bpf_get_current_cgroup_id) is the directory's inode (§4.2).
    const id = statSync(path, { bigint: true }).ino;
    return new CgroupSession(path, id);
  } catch (error) {
    tryRemoveEmpty(path);
    throw new LinuxHostError("CGROUP_SESSION_CREATE_FAILED", `cannot stat the session cgroup ${path}`, path, { cause: error });
  }
}

/** Keeps the migration lock warm until stopped (CgroupSession.warmJoin). */
export interface JoinWarmer {
  stop(): Promise<void>;
}

/** Between warming moves: inside the shortest grace period seen here (7 ms); more often slowed the arming that runs beside them. */
const WARM_EVERY_MS = 5;

/** A session cgroup directory: the workload and all its descendants live in it until teardown. */
export class CgroupSession implements AsyncDisposable {
  /** `cgroup.procs` of the session: a process writes its pid here to join. */
  readonly procsFile: string;
  #closed = false;

  constructor(
    /** Absolute path of the session directory. */
    readonly path: string,
    /** The cgroup id (the directory's inode). */
    readonly id: bigint,
  ) {
    this.procsFile = join(path, "cgroup.procs");
  }

  /**
   * Keeps the kernel's cgroup migration lock warm until `stop`, so the workload's join finds it
   * so. The first write to any cgroup.procs after a quiet spell waits for an RCU grace period
   * (7–21 ms measured here), and the lock cools one grace period after the last write; this
   * repeats a no-op move of the runner into the cgroup it is already in, in the background,
   * whenever the event loop turns. `stop` resolves once no move is in flight (one landing after
   * the join would take the runner out of the session before it forks). Never fails.
   */
  static warmJoin(): JoinWarmer {
    const procs = ownProcsForWarming();
    if (procs === undefined) return { stop: () => Promise.resolve() };
    let stopped = false;
    // Ends the pause between moves early: stop waits for a move in flight, not for the pause.
    const stopping = Promise.withResolvers<void>();
    const moves = (async () => {
      while (!stopped) {
        try {
          await writeFile(procs, `${process.pid}\n`);
        } catch {
          // a cgroup that refuses the write (threaded, inner node) still took the lock first
        }
        await Promise.race([Bun.sleep(WARM_EVERY_MS), stopping.promise]);
      }
    })();
    return {
      stop: () => {
        stopped = true;
        stopping.resolve();
        return moves;
      },
    };
  }

  /**
   * Runs `spawn` with the runner itself moved into the session, then moves the runner back: the
   * process `spawn` forks starts inside the session before its first instruction, with exactly
   * the argv and environment it was given (no shell in between, which would drop environment
   * names that are not shell identifiers, such as `BASH_FUNC_f%%`). Throws LinuxHostError when
   * the runner cannot join (nothing was spawned); if it cannot get back out, the spawned process
   * is killed and the error thrown, so the runner never stays inside the session it tears down.
   */
  spawnInside<T extends { readonly pid: number }>(spawn: () => T): T {
    const home = ownCgroupProcsFile();
    if (home === undefined)
      throw new LinuxHostError("CGROUP_JOIN_FAILED", "cannot locate the runner's own cgroup v2 directory to return to after spawning the workload");
    // Opened before moving: the way back must not open a file from inside the session.
    let back: number;
    try {
      back = openSync(home, "w");
    } catch (error) {
      throw new LinuxHostError("CGROUP_JOIN_FAILED", `cannot open the runner's own ${home} to return to after spawning the workload`, home, { cause: error });
    }
    try {
      try {
        writeFileSync(this.procsFile, `${process.pid}\n`);
      } catch (error) {
        throw new LinuxHostError("CGROUP_JOIN_FAILED", `cannot place the workload in the session cgroup ${this.path}; it was not run`, this.path, {
          cause: error,
        });
      }
      let child: T | undefined;
      let stayed = false;
      try {
        child = spawn();
        // The runner still inside after the fork was inside at it: this holds for a child that
        // has already exited, whose own cgroup can no longer be read. The read is also the open
        // inside the session the eBPF engine checks it saw (CaptureTarget.runnerJoins).
        stayed = this.#holds(process.pid);
      } finally {
        try {
          returnHome(back, home, this.path);
        } catch (error) {
          if (child !== undefined) killQuietly(child.pid);
          // biome-ignore lint/correctness/noUnsafeFinally: the way back failing outranks the spawn's own result.
          throw error;
        }
      }
      // Never a workload outside its session: anything else that moved the runner meanwhile (a
      // concurrent write to its own cgroup.procs) would have put the child elsewhere, unseen.
      if (!stayed || !this.#holds(child.pid)) {
        killQuietly(child.pid);
        throw new LinuxHostError("CGROUP_JOIN_FAILED", `the workload did not start inside the session cgroup ${this.path}; it was killed`, this.path);
      }
      return child;
    } finally {
      closeSync(back);
    }
  }

  // Whether `pid` is in the session (its /proc cgroup line names the session's directory).
  #holds(pid: number): boolean {
    const line = readOr(`/proc/${pid}/cgroup`, "")
      .split("\n")
      .find((entry) => entry.startsWith("0::"));
    // A process that already exited cannot be checked: it ran for microseconds, where it was spawned.
    if (line === undefined) return true;
    return this.path.endsWith(line.slice(3).trim());
  }

  /** The pids currently in the session. */
  pids(): number[] {
    const text = readOrUndefined(this.procsFile) ?? "";
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map(Number);
  }

  /** Whether any process is in the session (`cgroup.events` `populated 1`). */
  isPopulated(): boolean {
    const events = readOrUndefined(join(this.path, "cgroup.events"));
    if (events === undefined) return false;
    return /^populated 1$/m.test(events);
  }

  /** Sends `signal` to every process in the session but `spare`; processes that already exited are skipped. */
  signalAll(signal: NodeJS.Signals, spare?: number): number {
    let sent = 0;
    for (const pid of this.pids()) {
      if (pid === spare) continue;
      try {
        process.kill(pid, signal);
        sent++;
      } catch {
        // Hint: the process exited between the read and the kill.
      }
    }
    return sent;
  }

  /** Resolves true once the session is empty, false when `timeoutMs` passes first; watches `cgroup.events`. */
  waitUntilEmpty(timeoutMs: number): Promise<boolean> {
    return waitForEmpty(this, timeoutMs);
  }

  /** Kills every process in the session (`cgroup.kill`) and waits until it is empty. */
  async killAll(): Promise<boolean> {
    if (!this.isPopulated()) return true;
    try {
      writeFileSync(join(this.path, "cgroup.kill"), "1");
    } catch {
      // Hint: kernels before 5.14 have no cgroup.kill; SIGKILL each pid instead.
      this.signalAll("SIGKILL");
    }
    for (let round = 0; round < 20; round++) {
      if (await this.waitUntilEmpty(250)) return true;
      this.signalAll("SIGKILL");
    }
    return !this.isPopulated();
  }

  /**
   * SIGKILLs every process in the session but `spare` (a tracer, which then sees its tracees die
   * and ends on its own, its output complete); resolves true once only `spare` is left, if anything.
   */
  async killAllExcept(spare: number): Promise<boolean> {
    for (let round = 0; round < 40; round++) {
      const others = this.pids().filter((pid) => pid !== spare);
      if (others.length === 0) return true;
      for (const pid of others) killQuietly(pid);
      await Bun.sleep(round < 5 ? 5 : 50);
    }
    return this.pids().every((pid) => pid === spare);
  }

  /** Kills what is left and removes the directory; safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!existsSync(this.path)) {
      this.#closed = true;
      return;
    }
    await this.killAll();
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        // A workload may make cgroups of its own below the session (cgroup.kill emptied them too).
        removeDescendants(this.path);
        rmdirSync(this.path);
        this.#closed = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          this.#closed = true;
          return;
        }
        lastError = error;
        await this.killAll();
        await this.waitUntilEmpty(50);
      }
    }
    throw new LinuxHostError(
      "CGROUP_SESSION_TEARDOWN_FAILED",
      `cannot remove the session cgroup ${this.path}: ${(lastError as Error | undefined)?.message ?? "busy"}`,
      this.path,
      { cause: lastError },
    );
  }

  /** Tears the session down (see close). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

// --- internal ---

function waitForEmpty(session: CgroupSession, timeoutMs: number): Promise<boolean> {
  // The common case (the workload took its children with it) needs no watcher at all.
  if (!session.isPopulated()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let settled = false;
    let watcher: ReturnType<typeof watch> | undefined;
    const finish = (empty: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(safety);
      watcher?.close();
      resolve(empty);
    };
    const check = (): void => {
      if (!session.isPopulated()) finish(true);
    };
    const deadline = setTimeout(() => finish(!session.isPopulated()), Math.max(0, timeoutMs));
    // The kernel signals every populated change on cgroup.events through inotify; a slow re-read
    // covers a missed event (e.g. a directory removed underneath us).
    const safety = setInterval(check, 200);
    try {
      watcher = watch(join(session.path, "cgroup.events"), check);
      watcher.on("error", () => {});
    } catch {
      // Hint: no inotify here; the safety re-read still finishes the wait.
    }
    // The watch is armed before this first read, so a change between the two is never missed.
    check();
  });
}

// Removes every cgroup directory below `path`, deepest first.
function removeDescendants(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = join(path, entry.name);
    removeDescendants(child);
    rmdirSync(child);
  }
}

// The runner's own cgroup.procs for warming moves: only root can move itself (an unprivileged
// run has no session to join anyway).
function ownProcsForWarming(): string | undefined {
  return process.platform === "linux" && process.getuid?.() === 0 ? ownCgroupProcsFile() : undefined;
}

// The runner's own cgroup.procs, when the cgroup2 mount shows the whole hierarchy.
function ownCgroupProcsFile(): string | undefined {
  const mount = parseMountinfo(readOr("/proc/self/mountinfo", "")).find((m) => m.fsType === "cgroup2" && m.root === "/")?.mountPoint;
  const own = readOr("/proc/self/cgroup", "")
    .split("\n")
    .find((line) => line.startsWith("0::"))
    ?.slice(3)
    .trim();
  if (mount === undefined || own === undefined) return undefined;
  const file = join(mount, own, "cgroup.procs");
  return existsSync(file) ? file : undefined;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Hint: it already exited.
  }
}

function returnHome(fd: number, home: string, sessionPath: string): void {
  try {
    writeSync(fd, `${process.pid}\n`);
  } catch (error) {
    // Hint: the root cgroup always takes a process; anything but staying in the session.
    const root = parseMountinfo(readOr("/proc/self/mountinfo", "")).find((m) => m.fsType === "cgroup2")?.mountPoint;
    try {
      if (root === undefined) throw error;
      writeFileSync(join(root, "cgroup.procs"), `${process.pid}\n`);
    } catch {
      throw new LinuxHostError("CGROUP_JOIN_FAILED", `cannot move the runner out of the session ${sessionPath} back to ${home}`, sessionPath, { cause: error });
    }
  }
}

function tryRemoveEmpty(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

function readOr(file: string, fallback: string): string {
  return readOrUndefined(file) ?? fallback;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
