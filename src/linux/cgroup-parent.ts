import { join } from "node:path";

/** The parent directory chosen for a session, or why none fits. */
export type CgroupParentChoice = { readonly ok: true; readonly parent: string } | { readonly ok: false; readonly reason: string };

/** What the parent walk needs to know about the host, injected so the walk is testable. */
export interface CgroupParentInput {
  /** Where cgroup2 is mounted (`/sys/fs/cgroup` or `/sys/fs/cgroup/unified`). */
  readonly mount: string;
  /** The text of `/proc/self/cgroup`. */
  readonly procSelfCgroup: string;
  /** Reads `<dir>/cgroup.type` trimmed; undefined when the file does not exist (the root cgroup). */
  readonly readType: (dir: string) => string | undefined;
  /** Whether a directory exists. */
  readonly exists: (dir: string) => boolean;
}

/**
 * Chooses the session's parent cgroup as upstream does (§4.1): start at the runner's own v2 cgroup
 * and walk up to the first `domain` that is not a `.scope`/`.service` leaf unit.
 */
export function chooseCgroupParent(input: CgroupParentInput): CgroupParentChoice {
  const own = ownCgroupPath(input.procSelfCgroup);
  if (own === undefined) return { ok: false, reason: "no cgroup v2 entry (0::) in /proc/self/cgroup: this is a cgroup v1-only host" };
  const mount = input.mount.replace(/\/+$/, "") || "/";
  const segments = own.split("/").filter((s) => s !== "");
  const start = join(mount, ...segments);
  if (!input.exists(start)) {
    return { ok: false, reason: `the runner's own cgroup ${own} is not visible under the cgroup2 mount ${mount}` };
  }
  for (let depth = segments.length; depth > 0; depth--) {
    const dir = join(mount, ...segments.slice(0, depth));
    const name = segments[depth - 1] ?? "";
    if (input.readType(dir) === "domain" && !name.endsWith(".scope") && !name.endsWith(".service")) return { ok: true, parent: dir };
  }
  // deviation: upstream fails here because the root cgroup has no cgroup.type file (§4.1); the root
  // is always a domain and may hold sessions, so a runner in the root cgroup works.
  return { ok: true, parent: mount };
}

// --- internal ---

function ownCgroupPath(procSelfCgroup: string): string | undefined {
  for (const line of procSelfCgroup.split("\n")) {
    if (line.startsWith("0::")) return line.slice(3).trim();
  }
  return undefined;
}
