/** Upstream's 10-byte gzip header: deflate, no flags, mtime 0, XFL 2 (best), OS 255 (§1.3). */
export const GZIP_HEADER: Uint8Array = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff);

/** Builds the 8-byte gzip trailer: CRC-32 and length mod 2^32 of the uncompressed bytes, little-endian. */
export function gzipTrailer(crc32: number, uncompressedLength: number): Uint8Array {
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc32 >>> 0, true);
  view.setUint32(4, uncompressedLength % 2 ** 32, true);
  return trailer;
}

/** The length of the gzip header at the start of `head`, or a description of why this is not a gzip stream. */
export function gzipHeaderLength(head: Uint8Array): number | string {
  if (head.length < 10) return `${head.length} bytes, too short for a gzip header`;
  if (head[0] !== 0x1f || head[1] !== 0x8b) return `first bytes ${hex(head.subarray(0, 2))}`;
  if (head[2] !== 8) return `compression method ${head[2]}`;
  const flags = head[3]!;
  let at = 10;
  if (flags & 0x04) {
    if (head.length < at + 2) return "truncated gzip header";
    at += 2 + (head[at]! | (head[at + 1]! << 8));
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const end = head.indexOf(0, at);
      if (end === -1) return "unterminated gzip header field";
      at = end + 1;
    }
  }
  if (flags & 0x02) at += 2;
  if (at > head.length) return "truncated gzip header";
  return at;
}

// --- internal ---

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
