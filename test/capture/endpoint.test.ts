import { describe, expect, test } from "bun:test";
import { ipv4Endpoint, ipv6Endpoint } from "../../src/capture/endpoint.ts";
import { formatIpv6 } from "../../src/schema/index.ts";

/** 16 network-order bytes from eight 16-bit groups. */
const groups = (...g: number[]) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));

describe("formatIpv6", () => {
  test("prints like Rust's Ipv6Addr Display (RFC 5952): longest zero run, first on ties, IPv4-mapped dotted", () => {
    const inputs = [
      groups(0, 0, 0, 0, 0, 0, 0, 0),
      groups(0, 0, 0, 0, 0, 0, 0, 1),
      groups(0x2a00, 0x1450, 0x400e, 0x806, 0, 0, 0, 0x200a),
      groups(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201),
      groups(1, 0, 0, 1, 0, 0, 0, 1),
      groups(1, 0, 0, 0, 1, 0, 0, 1),
      groups(1, 2, 3, 4, 5, 6, 7, 0),
      groups(1, 0, 2, 0, 3, 0, 4, 0),
      groups(0xfe80, 0, 0, 0, 1, 0, 0, 0),
    ];
    expect(inputs.map(formatIpv6)).toEqual([
      "::",
      "::1",
      "2a00:1450:400e:806::200a",
      "::ffff:192.0.2.1",
      "1:0:0:1::1",
      "1::1:0:0:1",
      "1:2:3:4:5:6:7:0",
      "1:0:2:0:3:0:4:0",
      "fe80::1:0:0:0",
    ]);
  });
});

describe("endpoints", () => {
  test("put the port after the address, bracketing IPv6", () => {
    expect([ipv4Endpoint(Uint8Array.of(127, 0, 0, 1), 53), ipv6Endpoint(groups(0, 0, 0, 0, 0, 0, 0, 1), 0)]).toEqual(["127.0.0.1:53", "[::1]:0"]);
  });
});
