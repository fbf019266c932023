// Address bytes as endpoints print them (lifecycle spec §5.4): shared by the capture decoders and
// the egress policy, so a name's address and an endpoint's address are always the same text.

/** Formats 4 bytes as `a.b.c.d`. */
export function formatIpv4(address: Uint8Array): string {
  return Array.from(address.subarray(0, 4)).join(".");
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
