import { closeFd } from "./libc.ts";

/**
 * Closes kernel objects without waiting for them: detaching a tracepoint program waits for an
 * RCU grace period when its last reference goes (~60 ms each on the project's hosts, ~1 s for a
 * capture's 16). A short-lived child inherits the fds, ours are closed at once, and the child's
 * exit drops the last references in its own time. Falls back to closing here if it cannot start.
 */
export function closeInBackground(fds: readonly number[]): void {
  const open = fds.filter((fd) => fd >= 0);
  if (open.length === 0) return;
  let child: Bun.Subprocess<"pipe", "ignore", "ignore"> | undefined;
  try {
    child = Bun.spawn(["/bin/sh", "-c", "read _ || :"], { stdio: ["pipe", "ignore", "ignore", ...open] }) as Bun.Subprocess<"pipe", "ignore", "ignore">;
  } catch {
    child = undefined;
  }
  for (const fd of open) closeFd(fd);
  if (child === undefined) return;
  child.stdin.end();
  child.unref();
}
