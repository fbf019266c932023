// Endpoint strings exactly as upstream's decode_sockaddr_endpoint prints them (lifecycle spec
// §5.4): `a.b.c.d:port` and `[v6]:port`, the IPv6 address in Rust's `Ipv6Addr` Display form.
import { formatIpv4, formatIpv6 } from "../schema/index.ts";

/** Formats an IPv4 peer (4 address bytes in network order) as `a.b.c.d:port`. */
export function ipv4Endpoint(address: Uint8Array, port: number): string {
  return `${formatIpv4(address)}:${port}`;
}

/** Formats an IPv6 peer (16 address bytes in network order) as `[addr]:port`. */
export function ipv6Endpoint(address: Uint8Array, port: number): string {
  return `[${formatIpv6(address)}]:${port}`;
}
