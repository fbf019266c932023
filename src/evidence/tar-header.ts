/** Size of one tar block. */
export const TAR_BLOCK = 512;

/** The end-of-archive marker: exactly two zero blocks, no record padding (§1.2). */
export const TAR_END: Uint8Array = new Uint8Array(2 * TAR_BLOCK);

/**
 * Builds the 512-byte header upstream's tar crate writes for a member (§1.2): GNU magic, mode
 * 0644, uid/gid/mtime 0, uname/gname `assay`, typeflag NUL, 7-digit checksum.
 */
export function tarHeader(name: string, size: number): Uint8Array {
  const nameBytes = ENCODER.encode(name);
  if (nameBytes.length === 0 || nameBytes.length >= 100) throw new RangeError(`tar member name must be 1–99 bytes: ${name}`);
  if (!Number.isSafeInteger(size) || size < 0 || size >= 8 ** 11) throw new RangeError(`tar member size out of range: ${size}`);
  const header = TEMPLATE.slice();
  header.set(nameBytes, 0);
  header.set(ENCODER.encode(`${size.toString(8).padStart(11, "0")}\0`), 124);
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += header[i]!;
  header.set(ENCODER.encode(`${sum.toString(8).padStart(7, "0")}\0`), 148);
  return header;
}

/** Number of zero bytes that pad `size` bytes of member data to a whole block. */
export function tarPadding(size: number): number {
  return (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
}

// --- internal ---

const ENCODER = new TextEncoder();

// Everything but name, size and checksum is the same for every member; the checksum field holds
// eight spaces while the sum is taken.
const TEMPLATE: Uint8Array = (() => {
  const block = new Uint8Array(TAR_BLOCK);
  const put = (offset: number, text: string) => block.set(ENCODER.encode(text), offset);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(136, "00000000000\0");
  put(148, "        ");
  // offset 156: typeflag stays 0x00 (old-style regular file); 157..256 linkname stays NUL.
  put(257, "ustar ");
  put(263, " \0");
  put(265, "assay");
  put(297, "assay");
  // 329..511: devmajor/devminor and the rest stay NUL.
  return block;
})();
