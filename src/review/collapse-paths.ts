/** How one path is listed in a baseline: exactly, or through a glob that covers it. */
export interface PathPattern {
  readonly match: "exact" | "glob";
  readonly pattern: string;
}

/** How eagerly paths collapse. */
export interface CollapseOptions {
  /** A directory with at least this many listed paths directly in it becomes `DIR/*`. */
  readonly wide: number;
  /** Whether whole subtrees may become `DIR/**`. */
  readonly deep: boolean;
}

/** The collapse of read paths: 8 paths in one directory make `DIR/*`, 8 spread over a subtree `DIR/**`. */
export const READ_COLLAPSE: CollapseOptions = { wide: 8, deep: true };
/**
 * Written paths collapse by the same rule, but only among themselves (a read never widens a write
 * glob), so runs that scatter scratch files under one tree give one entry instead of thousands.
 */
export const WRITE_COLLAPSE: CollapseOptions = { wide: 8, deep: true };

/**
 * Collapses a set of paths into reviewable patterns and returns each path's pattern. A function of
 * the set alone (never of input order), so a baseline rebuilt from the same runs is byte-identical:
 * first a directory holding `wide` or more of the paths directly becomes `DIR/*`; then, with `deep`,
 * a directory at least three names below the root whose subtree holds `wide` or more patterns spread over
 * two or more subdirectories becomes `DIR/**`, deepest first, a collapsed subtree counting as one.
 */
export function collapsePaths(paths: Iterable<string>, options: CollapseOptions): Map<string, PathPattern> {
  const unique = [...new Set(paths)];
  const patterns = collapseEach(unique, options);
  const out = new Map<string, PathPattern>();
  for (let i = 0; i < unique.length; i++) out.set(unique[i]!, patterns[i]!);
  return out;
}

/**
 * `collapsePaths` for distinct paths, answered by position: the pattern of `paths[i]` is at `i`
 * (a caller holding data per path needs no lookup by name to find it again).
 */
export function collapseEach(paths: readonly string[], options: CollapseOptions): PathPattern[] {
  const root: Node = { children: new Map(), own: [] };
  const byDir = new Map<string, number[]>();
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    const slash = path.lastIndexOf("/");
    // A path at the top (`/etc`, `file`) has no directory worth a glob.
    const dir = slash > 0 ? path.slice(0, slash) : "";
    let list = byDir.get(dir);
    if (list === undefined) byDir.set(dir, (list = []));
    list.push(i);
  }
  for (const [dir, list] of byDir) {
    const node = nodeOf(root, dir);
    if (dir !== "" && list.length >= options.wide && !hasWildcard(dir)) {
      node.own.push({ pattern: { match: "glob", pattern: `${dir}/*` }, members: list });
    } else {
      for (const i of list) node.own.push({ pattern: { match: "exact", pattern: paths[i]! }, members: [i] });
    }
  }
  const entries = options.deep ? collapseTree(root, "", 0, options.wide) : allEntries(root);
  const out = new Array<PathPattern>(paths.length);
  for (const entry of entries) for (const member of entry.members) out[member] = entry.pattern;
  return out;
}

/** Whether a string holds a glob wildcard (such a path can only be listed exactly). */
export function hasWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}

// --- internal ---

interface Entry {
  readonly pattern: PathPattern;
  /** Positions of the paths it covers. */
  readonly members: readonly number[];
}

interface Node {
  readonly children: Map<string, Node>;
  readonly own: Entry[];
}

// Directories closer to the root than this never become `DIR/**` (`/usr/**` says nothing).
const MIN_DEEP_SEGMENTS = 4;

function nodeOf(root: Node, dir: string): Node {
  let node = root;
  if (dir === "") return node;
  for (const segment of dir.split("/")) {
    let child = node.children.get(segment);
    if (child === undefined) node.children.set(segment, (child = { children: new Map(), own: [] }));
    node = child;
  }
  return node;
}

// Post-order: a directory decides after all of its subdirectories have.
function collapseTree(node: Node, dir: string, depth: number, wide: number): Entry[] {
  const below: Entry[] = [...node.own];
  let populated = 0;
  for (const [segment, child] of node.children) {
    const childEntries = collapseTree(child, depth === 0 ? segment : `${dir}/${segment}`, depth + 1, wide);
    if (childEntries.length > 0) populated++;
    for (const e of childEntries) below.push(e);
  }
  if (depth >= MIN_DEEP_SEGMENTS && populated >= 2 && below.length >= wide && !hasWildcard(dir)) {
    return [{ pattern: { match: "glob", pattern: `${dir}/**` }, members: below.flatMap((e) => e.members) }];
  }
  return below;
}

function allEntries(node: Node): Entry[] {
  const out: Entry[] = [...node.own];
  for (const child of node.children.values()) out.push(...allEntries(child));
  return out;
}
