// Rust `str` text semantics the upstream log readers and redactor rely on (spec §2.4, §3.1, §5 16):
// `str::lines`, `trim` and `split_whitespace` use Unicode White_Space, which differs from JS
// `String.prototype.trim` (JS strips U+FEFF and keeps U+0085; Rust does the opposite).

/** Splits text like Rust `str::lines`: at `\n`, one `\r` before it dropped, no empty line after a final `\n`. */
export function rustLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  // A trailing "\n" ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // Only a line that had a "\n" after it loses its "\r" (Rust strips "\r\n", not a final bare "\r").
    const hadNewline = i < lines.length - 1 || text.endsWith("\n");
    if (hadNewline && line.endsWith("\r")) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** Trims Unicode White_Space from both ends, like Rust `str::trim`. */
export function rustTrim(text: string): string {
  return text.replace(EDGE_WHITESPACE, "");
}

/** Splits on runs of Unicode White_Space and drops empty pieces, like Rust `str::split_whitespace`. */
export function rustSplitWhitespace(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((piece) => piece !== "");
}

/** Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD like Rust `String::from_utf8_lossy`. */
export function decodeLossy(bytes: Uint8Array): string {
  // The WHATWG decoder replaces each maximal invalid subpart, the same policy as from_utf8_lossy.
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
}

// --- internal ---

const EDGE_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
const WHITESPACE_RUN = /\p{White_Space}+/u;
