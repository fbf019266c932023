// AssemblyScript (see byte-core.as.ts): globs kept as patterns, matched over a line's bytes.

import { bytesEqual, sequenceLength } from "./_bytes.as";

const SLASH: u8 = 47;
// Glob tokens (12 bytes: kind, literal pointer, literal length), as globToRegExp reads a glob.
const LITERAL: u32 = 0;
const STAR: u32 = 1; // [^/]*
const ONE: u32 = 2; // [^/], one code point
const SEGMENTS: u32 = 3; // `**/`: (?:[^/]*/)*
const TAIL: u32 = 4; // a final `/**`: (?:/.*)?
const ANY: u32 = 5; // any other `**`: .*
const MAX_STEPS: u32 = 4096;
let steps: u32 = 0;

// Whether tokens `[t, tEnd)` match all of `[p, end)` (valid UTF-8), backtracking as the regular
// expression does; gives up (and `steps` exceeds MAX_STEPS) when that takes too long.
function matchGlob(t: usize, tEnd: usize, p: usize, end: usize): bool {
  for (; t < tEnd; t += 12) {
    if (++steps > MAX_STEPS) return false;
    const kind = load<u32>(t);
    if (kind == LITERAL) {
      const length = <usize>load<u32>(t, 8);
      if (end - p < length || !bytesEqual(p, load<u32>(t, 4), length)) return false;
      p += length;
    } else if (kind == ONE) {
      if (p >= end || load<u8>(p) == SLASH) return false;
      p += sequenceLength(p);
    } else if (kind == TAIL) {
      return p == end || load<u8>(p) == SLASH;
    } else {
      // STAR, ANY and SEGMENTS try every end of what they take, shortest first.
      for (let q = p; ; ) {
        if (kind != SEGMENTS || q == p || load<u8>(q - 1) == SLASH) {
          if (matchGlob(t + 12, tEnd, q, end)) return true;
          if (steps > MAX_STEPS) return false;
        }
        if (q >= end || (kind == STAR && load<u8>(q) == SLASH)) return false;
        q += sequenceLength(q);
      }
    }
  }
  return p == end;
}

/** Whether tokens `[t, tEnd)` match all of `[p, end)`: 1 yes, 0 no, -1 gave up (too many steps: the host decides). */
export function matchGlobWithin(t: usize, tEnd: usize, p: usize, end: usize): i32 {
  steps = 0;
  const matched = matchGlob(t, tEnd, p, end);
  return steps > MAX_STEPS ? -1 : matched ? 1 : 0;
}
