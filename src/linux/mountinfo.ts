/** One line of `/proc/self/mountinfo` (proc(5)), with octal escapes decoded. */
export interface MountEntry {
  readonly mountId: number;
  readonly parentId: number;
  /** The root of the mount inside its filesystem (`/` for a whole hierarchy). */
  readonly root: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

/** Parses the text of `/proc/self/mountinfo`; malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const entry = parseLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Finds where the cgroup v2 hierarchy is mounted: plain (`/sys/fs/cgroup`) or hybrid
 * (`/sys/fs/cgroup/unified`); a mount of the whole hierarchy (root `/`) wins over a bind of a subtree.
 */
export function findCgroup2Mount(mountinfo: string): string | undefined {
  const mounts = parseMountinfo(mountinfo).filter((m) => m.fsType === "cgroup2");
  return (mounts.find((m) => m.root === "/") ?? mounts[0])?.mountPoint;
}

// --- internal ---

function parseLine(line: string): MountEntry | undefined {
  // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": optional fields end at " - ".
  const separator = line.indexOf(" - ");
  if (separator < 0) return undefined;
  const left = line.slice(0, separator).split(" ");
  const right = line.slice(separator + 3).split(" ");
  const [mountId, parentId, , root, mountPoint] = left;
  const [fsType, source] = right;
  if (mountId === undefined || parentId === undefined || root === undefined || mountPoint === undefined || !fsType) {
    return undefined;
  }
  return {
    mountId: Number(mountId),
    parentId: Number(parentId),
    root: unescapeOctal(root),
    mountPoint: unescapeOctal(mountPoint),
    fsType: unescapeOctal(fsType),
    source: unescapeOctal(source ?? ""),
  };
}

// The kernel writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
