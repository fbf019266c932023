// Endpoint strings exactly as upstream's decode_sockaddr_endpoint prints them (lifecycle spec
// §5.4): `a.b.c.d:port` and `[v6]:port`, the IPv6 address in Rust's `Ipv6Addr` Display form.

/** Formats an IPv4 peer (4 address bytes in network order) as `a.b.c.d:port`. */
export function ipv4Endpoint(address: Uint8Array, port: number): string {
  return `${formatIpv4(address)}:${port}`;
}

/** Formats an IPv6 peer (16 address bytes in network order) as `[addr]:port`. */
export function ipv6Endpoint(address: Uint8Array, port: number): string {
  return `[${formatIpv6(address)}]:${port}`;
}

/** Formats 16 bytes like Rust's `Ipv6Addr` Display: RFC 5952 zero compression, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIpv6(address: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((address[2 * i] ?? 0) << 8) | (address[2 * i + 1] ?? 0));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${formatIpv4(address.subarray(12, 16))}`;
  // The longest run of zero groups (the first on ties) becomes "::" when it spans two or more.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (part: number[]) => part.map((g) => g.toString(16)).join(":");
  if (bestLength < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Parses a textual IPv4 or IPv6 address into network-order bytes, or undefined. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (!text.includes(":")) return parseIpv4(text);
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part === undefined || part === "" ? [] : part.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)));
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const fill = 8 - left.length - right.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...left, ...Array<number>(halves.length === 1 ? 0 : fill).fill(0), ...right];
  if (groups.some((g) => Number.isNaN(g))) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  if (tail4) bytes.set(tail4, 12);
  return bytes;
}

// --- internal ---

function formatIpv4(address: Uint8Array): string {
  return Array.from(address.subarray(0, 4)).join(".");
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}
