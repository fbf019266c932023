import type { FileSink, Subprocess } from "bun";

/**
 * A watchdog that cleans up after a runner that dies without finishing (SIGKILL, the OOM killer):
 * it kills what is left in the session cgroup and removes it, stops helper processes, and removes
 * scratch directories and partial archives. It is a small `sh` in its own session reading the
 * runner's instructions on a pipe: end of file without `done` means the runner died (the kernel
 * closes the pipe whatever killed it). A runner that ends normally cleans up itself and releases it.
 */
export class RunGuardian implements AsyncDisposable {
  #released = false;

  private constructor(
    /** The guardian's process id. */
    readonly pid: number,
    private readonly instructions: FileSink,
  ) {}

  /** Starts the guardian; undefined where there is no `/bin/sh` to run it (nothing is guarded then). */
  static start(): RunGuardian | undefined {
    let child: Subprocess<"pipe", "ignore", "ignore">;
    try {
      // Its own session: a signal to the runner's process group must not take the guardian along.
      child = Bun.spawn(["/bin/sh", "-c", GUARDIAN_SCRIPT, "assay-runner-guardian"], {
        stdin: "pipe",
        stdout: "ignore",
        stderr: "ignore",
        detached: true,
      });
    } catch {
      return undefined;
    }
    child.unref();
    return new RunGuardian(child.pid, child.stdin);
  }

  /** On the runner's death: kill every process in the session cgroup and remove it (and cgroups below). */
  guardSession(path: string): void {
    this.send("session", path);
  }

  /** On the runner's death: remove this directory tree. */
  guardDirectory(path: string): void {
    this.send("remove", path);
  }

  /** On the runner's death: remove the files `<prefix>*.partial` in `dir` (the runner's unfinished archive). */
  guardPartialFiles(dir: string, prefix: string): void {
    this.send("partial-dir", dir);
    this.send("partial-prefix", prefix);
  }

  /** On the runner's death: SIGTERM, then SIGKILL, process `pid` if it still runs as `comm` (pids are reused). */
  guardProcess(pid: number, comm: string): void {
    this.send("kill", `${pid} ${comm}`);
  }

  /**
   * Tells the guardian the runner finished (it cleaned up itself); the guardian exits. Not waited
   * for: `done` sits in the pipe even if the runner exits first.
   */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      this.instructions.write("done\n");
      await this.instructions.end();
    } catch {
      // Hint: the guardian already gone leaves nothing to release.
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  private send(verb: string, value: string): void {
    // A value with a newline would split into two instructions: such a path is not guarded.
    if (this.#released || value.includes("\n")) return;
    this.instructions.write(`${verb} ${value}\n`);
    void this.instructions.flush();
  }
}

// --- internal ---

// printf, not echo: dash's echo would read backslashes in paths as escapes.
const GUARDIAN_SCRIPT = `
sessions=''
removes=''
kills=''
partial_dir=''
partial_prefix=''
while IFS= read -r line; do
  case $line in
    done) exit 0 ;;
    'session '*) sessions="$sessions
\${line#session }" ;;
    'remove '*) removes="$removes
\${line#remove }" ;;
    'partial-dir '*) partial_dir=\${line#partial-dir } ;;
    'partial-prefix '*) partial_prefix=\${line#partial-prefix } ;;
    'kill '*) kills="$kills
\${line#kill }" ;;
  esac
done
printf '%s\\n' "$sessions" | while IFS= read -r s; do
  [ -n "$s" ] && [ -d "$s" ] || continue
  echo 1 > "$s/cgroup.kill" 2>/dev/null || find "$s" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
  i=0
  while [ -d "$s" ] && [ $i -lt 100 ]; do
    find "$s" -depth -type d -exec rmdir {} + 2>/dev/null
    [ -d "$s" ] && sleep 0.1
    i=$((i + 1))
  done
done
printf '%s\\n' "$kills" | while read -r pid comm; do
  [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] && kill -TERM "$pid" 2>/dev/null
done
[ -n "$kills" ] && sleep 1
printf '%s\\n' "$kills" | while read -r pid comm; do
  [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] && kill -KILL "$pid" 2>/dev/null
done
printf '%s\\n' "$removes" | while IFS= read -r r; do
  [ -n "$r" ] && rm -rf -- "$r"
done
[ -n "$partial_dir" ] && [ -n "$partial_prefix" ] && rm -f -- "$partial_dir/$partial_prefix"*.partial
exit 0
`;
