/** A parsed IP address: IPv4 as one unsigned 32-bit word, IPv6 as four (most significant first). */
export type IpAddress = { readonly version: 4; readonly value: number } | { readonly version: 6; readonly words: readonly [number, number, number, number] };

/** A parsed CIDR network, host bits cleared (Python `ip_network(strict=False)`). */
export interface IpNetwork {
  readonly address: IpAddress;
  readonly prefixLength: number;
}

/**
 * Parses an IP address as Python's `ipaddress.ip_address` does (the reference `drift.py` uses it):
 * dotted IPv4 without leading zeros, IPv6 with one `::` and an optional dotted tail; an IPv6 `%zone`
 * is accepted and ignored for matching. Returns undefined for anything else (e.g. a host name).
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const percent = text.indexOf("%");
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (zone === "" || zone.includes("%")) return undefined;
    text = text.slice(0, percent);
  }
  const words = parseIpv6(text);
  return words === undefined ? undefined : { version: 6, words };
}

/**
 * Parses a CIDR as Python's `ipaddress.ip_network(text, strict=False)`: an address, optionally `/`
 * and a decimal prefix length (or, for IPv4, a netmask or host mask); host bits are cleared.
 */
export function parseIpNetwork(text: string): IpNetwork | undefined {
  const parts = text.split("/");
  if (parts.length > 2) return undefined;
  const [addressText, prefixText] = parts as [string, string | undefined];
  // deviation: Python accepts a `%zone` on an IPv6 network address; a zone has no meaning in a CIDR alias, so we reject it.
  if (addressText.includes("%")) return undefined;
  const address = parseIpAddress(addressText);
  if (address === undefined) return undefined;
  const max = address.version === 4 ? 32 : 128;
  let prefixLength = max;
  if (prefixText !== undefined) {
    if (/^[0-9]+$/.test(prefixText)) prefixLength = Number(prefixText);
    else if (address.version === 4) {
      const mask = parseIpv4(prefixText);
      prefixLength = mask === undefined ? -1 : maskLength(mask);
    } else return undefined;
    if (!(prefixLength >= 0 && prefixLength <= max)) return undefined;
  }
  return { address: maskAddress(address, prefixLength), prefixLength };
}

/** Whether an address lies inside a network of the same version (an IPv4 address never matches an IPv6 network). */
export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  if (network.address.version !== address.version) return false;
  return addressKey(maskAddress(address, network.prefixLength)) === addressKey(network.address);
}

/** Formats a network like Python's `str(ip_network(...))`, e.g. `162.159.0.0/16` or `2a00:1450:400e::/48`. */
export function formatIpNetwork(network: IpNetwork): string {
  const a = network.address;
  return `${a.version === 4 ? formatIpv4(a.value) : formatIpv6(a.words)}/${network.prefixLength}`;
}

/** Clears the host bits of an address below a prefix length. */
export function maskAddress(address: IpAddress, prefixLength: number): IpAddress {
  if (address.version === 4) return { version: 4, value: (address.value & v4Mask(prefixLength)) >>> 0 };
  const w = address.words;
  return {
    version: 6,
    words: [
      (w[0] & v4Mask(prefixLength)) >>> 0,
      (w[1] & v4Mask(prefixLength - 32)) >>> 0,
      (w[2] & v4Mask(prefixLength - 64)) >>> 0,
      (w[3] & v4Mask(prefixLength - 96)) >>> 0,
    ],
  };
}

/** A key equal for equal networks: version, cleared address and prefix length. */
export function networkKey(network: IpNetwork): string {
  return `${addressKey(network.address)}/${network.prefixLength}`;
}

/** A key equal for equal addresses of the same version. */
export function addressKey(address: IpAddress): string {
  return address.version === 4 ? `4:${address.value}` : `6:${address.words.join(",")}`;
}

/** The network mask of an IPv4-sized prefix length, clamped to 0..32. */
export function v4Mask(prefixLength: number): number {
  if (prefixLength <= 0) return 0;
  if (prefixLength >= 32) return 0xffffffff;
  return (0xffffffff << (32 - prefixLength)) >>> 0;
}

// --- internal ---

function parseIpv4(text: string): number | undefined {
  // Python: four parts of 1–3 ASCII digits, no leading zero (ambiguous octal), each at most 255.
  const n = text.length;
  let value = 0;
  let parts = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const length = i - start;
    if (length === 0 || length > 3 || (length > 1 && text.charCodeAt(start) === 48) || octet > 255) return undefined;
    value = value * 256 + octet;
    parts++;
    if (i === n) return parts === 4 ? value : undefined;
    if (parts === 4 || text.charCodeAt(i) !== 46) return undefined;
    i++;
  }
}

function parseIpv6(text: string): [number, number, number, number] | undefined {
  const parts = text.split(":");
  if (parts.length < 3) return undefined;
  if (parts[parts.length - 1]!.includes(".")) {
    const v4 = parseIpv4(parts.pop()!);
    if (v4 === undefined) return undefined;
    parts.push(((v4 >>> 16) & 0xffff).toString(16), (v4 & 0xffff).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === "") {
      if (skip >= 0) return undefined;
      skip = i;
    }
  }
  let hi: number;
  let lo: number;
  if (skip >= 0) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (parts[0] === "" && --hi !== 0) return undefined;
    if (parts[parts.length - 1] === "" && --lo !== 0) return undefined;
    if (8 - (hi + lo) < 1) return undefined;
  } else {
    if (parts.length !== 8 || parts[0] === "" || parts[7] === "") return undefined;
    hi = 8;
    lo = 0;
  }
  const hextets: number[] = [];
  for (let i = 0; i < hi; i++) {
    const h = parseHextet(parts[i]!);
    if (h === undefined) return undefined;
    hextets.push(h);
  }
  for (let i = 0; i < 8 - hi - lo; i++) hextets.push(0);
  for (let i = parts.length - lo; i < parts.length; i++) {
    const h = parseHextet(parts[i]!);
    if (h === undefined) return undefined;
    hextets.push(h);
  }
  const word = (i: number) => ((hextets[i]! << 16) | hextets[i + 1]!) >>> 0;
  return [word(0), word(2), word(4), word(6)];
}

function parseHextet(text: string): number | undefined {
  return /^[0-9a-fA-F]{1,4}$/.test(text) ? parseInt(text, 16) : undefined;
}

function maskLength(mask: number): number {
  // Netmask (ones then zeros) first, then host mask (zeros then ones), as Python tries them.
  for (const candidate of [mask, ~mask >>> 0]) {
    for (let length = 0; length <= 32; length++) if (v4Mask(length) === candidate) return length;
  }
  return -1;
}

function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function formatIpv6(words: readonly [number, number, number, number]): string {
  const hextets = words.flatMap((w) => [w >>> 16, w & 0xffff]);
  // Compress the longest run (length > 1, first wins) of zero hextets, like Python.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
