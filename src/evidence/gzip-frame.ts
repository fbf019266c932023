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
