import { closeSync, openSync, readSync } from "node:fs";

/** Streams the lines of a file (without their "\n"), decoding UTF-8 lossily like Rust's from_utf8_lossy. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let carry = "";
  for await (const chunk of Bun.file(path).stream()) {
    carry += decoder.decode(chunk, { stream: true });
    let newline = carry.indexOf("\n");
    let start = 0;
    while (newline >= 0) {
      yield carry.slice(start, newline);
      start = newline + 1;
      newline = carry.indexOf("\n", start);
    }
    carry = carry.slice(start);
  }
  carry += decoder.decode();
  if (carry !== "") yield carry;
}

/** Counts occurrences of any ASCII `needles` in the bytes appended to a file since `offset`; returns the new offset. */
export function countAppended(path: string, offset: number, needles: readonly string[]): { count: number; offset: number } {
  const longest = Math.max(...needles.map((n) => n.length));
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { count: 0, offset };
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let count = 0;
    let position = offset;
    let tail = "";
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read <= 0) break;
      position += read;
      // Keep needle-1 bytes of the previous chunk so a match across the boundary is found once.
      const text = tail + buffer.toString("latin1", 0, read);
      for (const needle of needles) {
        // A match inside the carried tail was counted with the previous chunk.
        for (let at = text.indexOf(needle, 0); at >= 0; at = text.indexOf(needle, at + needle.length)) if (at + needle.length > tail.length) count += 1;
      }
      tail = text.slice(Math.max(0, text.length - (longest - 1)));
    }
    return { count, offset: position };
  } finally {
    closeSync(fd);
  }
}
