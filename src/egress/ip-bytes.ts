// IP literals as bytes, for answer records and the kernel's allow tuples (egress may not import
// projection's parser; this one only needs exact literals and prefixes).
import { formatIpv4, formatIpv6 } from "../schema/index.ts";

/** An IPv4 or IPv6 address as network-order bytes. */
export interface IpBytes {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** Parses a dotted IPv4 or an IPv6 literal (no zone, no brackets); undefined when it is not one. */
export function parseIpBytes(text: string): IpBytes | undefined {
  if (text.includes(":")) {
    const bytes = ipv6Bytes(text);
    return bytes && { version: 6, bytes };
  }
  const bytes = ipv4Bytes(text);
  return bytes && { version: 4, bytes };
}

/** Parses `address/prefix`; the host bits are cleared. Undefined when malformed. */
export function parseCidrBytes(text: string): (IpBytes & { readonly prefixLength: number }) | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIpBytes(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return undefined;
  const prefixLength = Number(prefix);
  if (prefixLength > address.bytes.length * 8) return undefined;
  const bytes = new Uint8Array(address.bytes);
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) bytes[bit >> 3] = (bytes[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { version: address.version, bytes, prefixLength };
}

/** Formats bytes back as a literal (IPv6 in RFC 5952 form, as endpoints print it). */
export function formatIpBytes(ip: IpBytes): string {
  return ip.version === 4 ? formatIpv4(ip.bytes) : formatIpv6(ip.bytes);
}

/** Whether `address` lies in the network (same version, first `prefixLength` bits equal). */
export function cidrContains(network: IpBytes & { readonly prefixLength: number }, address: IpBytes): boolean {
  if (network.version !== address.version) return false;
  for (let bit = 0; bit < network.prefixLength; bit++) {
    const mask = 0x80 >> (bit & 7);
    if (((network.bytes[bit >> 3] as number) & mask) !== ((address.bytes[bit >> 3] as number) & mask)) return false;
  }
  return true;
}

// --- internal ---

function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) < 256)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

function ipv6Bytes(text: string): Uint8Array | undefined {
  let head = text;
  let v4Tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    v4Tail = ipv4Bytes(text.slice(lastColon + 1));
    if (v4Tail === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(halves[0] ?? "");
  const right = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const fill = 8 - left.length - right.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...right];
  const out = new Uint8Array(16);
  for (const [i, group] of all.entries()) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = Number.parseInt(group, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  if (v4Tail) out.set(v4Tail, 12);
  return out;
}
