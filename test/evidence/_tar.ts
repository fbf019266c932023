import { gzipSync } from "node:zlib";
import { tarHeader, TAR_END, tarPadding } from "../../src/evidence/tar-header.ts";

/** One entry of a hand-built tar stream; `type` and `checksumDelta` let tests forge hostile headers. */
export interface TarEntry {
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** Typeflag byte, e.g. "2" for a symbolic link (default NUL, a regular file). */
  readonly type?: string;
  /** Added to the stored checksum, to corrupt it. */
  readonly checksumDelta?: number;
  /** Size written in the header when it should lie about the data. */
  readonly declaredSize?: number;
}

/** Builds a tar stream (upstream header layout) from entries, ending with two zero blocks. */
export function tarOf(entries: readonly TarEntry[], { end = true }: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? new TextEncoder().encode(entry.data) : (entry.data ?? new Uint8Array(0));
    const header = tarHeader(entry.name.length > 0 ? entry.name : "x", entry.declaredSize ?? data.length);
    if (entry.name.length === 0) header[0] = 0;
    if (entry.type !== undefined) header[156] = entry.type.charCodeAt(0);
    rewriteChecksum(header, entry.checksumDelta ?? 0);
    parts.push(header, data, new Uint8Array(tarPadding(data.length)));
  }
  if (end) parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** Gzips bytes the way any gzip tool would (header details differ from upstream's; readers accept both). */
export function gz(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 1 });
}

function rewriteChecksum(header: Uint8Array, delta: number): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  header.set(new TextEncoder().encode(`${(sum + delta).toString(8).padStart(7, "0")}\0`), 148);
}
