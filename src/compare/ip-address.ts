/** An IP address as Python's `ipaddress.ip_address` reads it: version and value. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** An IP network as `ipaddress.ip_network(text, strict=False)` reads it (host bits cleared). */
export interface IpNetwork {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
}

/** Parses an IPv4 or IPv6 address with Python `ipaddress` rules (no leading zeros in IPv4, IPv6 zone allowed), or undefined. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const zone = text.indexOf("%");
  // Python accepts a scoped IPv6 address (`fe80::1%eth0`) as long as the zone is non-empty.
  const bare = zone >= 0 ? (zone === text.length - 1 ? undefined : text.slice(0, zone)) : text;
  if (bare === undefined) return undefined;
  const v6 = parseIpv6(bare);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Parses `ADDRESS[/PREFIX]` (IPv4 also `/NETMASK`) like `ip_network(..., strict=False)`, or undefined. */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const parts = text.split("/");
  if (parts.length > 2) return undefined;
  const [addressText = "", prefixText] = parts;
  if (addressText.includes("%")) return undefined;
  const v4 = parseIpv4(addressText);
  const v6 = v4 === undefined ? parseIpv6(addressText) : undefined;
  if (v4 === undefined && v6 === undefined) return undefined;
  const version: 4 | 6 = v4 !== undefined ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  let prefixLength: number | undefined = bits;
  if (prefixText !== undefined) {
    prefixLength = /^[0-9]+$/.test(prefixText) ? Number(prefixText) : version === 4 ? netmaskLength(prefixText) : undefined;
    if (prefixLength === undefined || prefixLength > bits) return undefined;
  }
  const value = (v4 ?? v6) as bigint;
  return { version, network: value & mask(bits, prefixLength), prefixLength };
}

/** Whether an address lies inside a network of the same version (an IPv4 address never matches an IPv6 network). */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  if (network.version !== address.version) return false;
  const bits = network.version === 4 ? 32 : 128;
  return (address.value & mask(bits, network.prefixLength)) === network.network;
}

/** Formats a network like Python's `str(ip_network(...))`, e.g. `162.159.0.0/16` or `2a00:1450:400e::/48`. */
export function formatIpNetwork(network: IpNetwork): string {
  return `${network.version === 4 ? formatIpv4(network.network) : formatIpv6(network.network)}/${network.prefixLength}`;
}

// --- internal ---

function mask(bits: number, prefixLength: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefixLength === 0 ? 0n : (all >> BigInt(bits - prefixLength)) << BigInt(bits - prefixLength);
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split(".");
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    // Python rejects empty octets, more than 3 digits and leading zeros ("ambiguous (octal/decimal)").
    if (!/^[0-9]{1,3}$/.test(octet) || (octet.length > 1 && octet.startsWith("0"))) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0) return undefined;
  let groups = text.split(":");
  let tail: bigint[] = [];
  const last = groups[groups.length - 1] ?? "";
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    groups = groups.slice(0, -1);
    groups.push("x", "x");
  }
  const gap = text.indexOf("::");
  if (gap !== text.lastIndexOf("::")) return undefined;
  let words: string[];
  if (gap >= 0) {
    const [head = "", rest = ""] = groups.join(":").split("::");
    const left = head === "" ? [] : head.split(":");
    const right = rest === "" ? [] : rest.split(":");
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    words = [...left, ...Array<string>(missing).fill("0"), ...right];
  } else {
    words = groups;
    if (words.length !== 8) return undefined;
  }
  let value = 0n;
  let tailIndex = 0;
  for (const word of words) {
    let part: bigint;
    if (word === "x") part = tail[tailIndex++] ?? 0n;
    else if (/^[0-9a-fA-F]{1,4}$/.test(word)) part = BigInt(`0x${word}`);
    else return undefined;
    value = (value << 16n) | part;
  }
  return value;
}

function netmaskLength(text: string): number | undefined {
  const value = parseIpv4(text);
  if (value === undefined) return undefined;
  for (let length = 0; length <= 32; length++) if (mask(32, length) === value) return length;
  return undefined;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function formatIpv6(value: bigint): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run (length > 1, first wins) of zero words, like Python.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}
