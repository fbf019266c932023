/**
 * The shape a heuristic glob compiles to: a literal path, a literal prefix (`LIT/**`), a run of
 * literal segments anywhere (`**\/a/b/**`), a literal last segment (`**\/name`), or a regular expression.
 */
export type GlobShape =
  | { readonly kind: "exact"; readonly literal: string }
  | { readonly kind: "prefix"; readonly literal: string }
  | { readonly kind: "segments"; readonly segments: readonly string[] }
  | { readonly kind: "basename"; readonly name: string }
  | { readonly kind: "regex"; readonly head: string; readonly regex: RegExp };

/**
 * Translates a heuristic glob into an anchored regular expression: `**\/` is zero or more whole
 * segments, a trailing `/**` is the directory itself or anything below it, any other `**` is any
 * text, `*` is any text within one segment, `?` one character other than `/`; the rest is literal.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = "^";
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("**/", i) && (i === 0 || pattern[i - 1] === "/")) {
      source += "(?:[^/]*/)*";
      i += 3;
    } else if (pattern[i] === "/" && i + 3 === pattern.length && pattern.endsWith("/**")) {
      source += "(?:/.*)?";
      i += 3;
    } else if (pattern.startsWith("**", i)) {
      source += ".*";
      i += 2;
    } else if (pattern[i] === "*") {
      source += "[^/]*";
      i += 1;
    } else if (pattern[i] === "?") {
      source += "[^/]";
      i += 1;
    } else {
      source += escapeRegExp(pattern[i]!);
      i += 1;
    }
  }
  // `s`: a path may hold a newline and `.` must still match it; `u`: `?` is one code point, not one UTF-16 unit.
  return new RegExp(`${source}$`, "su");
}

/** Finds the cheapest lookup that decides exactly what `globToRegExp(pattern)` decides. */
export function globShape(pattern: string): GlobShape {
  if (!hasWildcard(pattern)) return { kind: "exact", literal: pattern };
  if (pattern.startsWith("**/")) {
    const rest = pattern.slice(3);
    if (rest.endsWith("/**")) {
      const middle = rest.slice(0, -3);
      const segments = middle.split("/");
      if (middle !== "" && !hasWildcard(middle) && segments.every((s) => s !== "")) return { kind: "segments", segments };
    } else if (rest !== "" && !hasWildcard(rest) && !rest.includes("/")) {
      return { kind: "basename", name: rest };
    }
  }
  if (pattern.endsWith("/**")) {
    const literal = pattern.slice(0, -3);
    if (literal !== "" && !literal.endsWith("/") && !hasWildcard(literal)) return { kind: "prefix", literal };
  }
  const firstWildcard = pattern.search(/[*?]/);
  // Built when first read: constructing one costs 0.05–0.2 ms in cold code, and a short input
  // rarely tests any (the byte core never does).
  let regex: RegExp | undefined;
  return {
    kind: "regex",
    head: pattern.slice(0, firstWildcard),
    get regex() {
      return (regex ??= globToRegExp(pattern));
    },
  };
}

// --- internal ---

function hasWildcard(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

function escapeRegExp(c: string): string {
  return /[\\^$.|+()[\]{}*?/]/.test(c) ? `\\${c}` : c;
}
