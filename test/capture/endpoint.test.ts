import { describe, expect, test } from "bun:test";
import { formatIpv6, ipv4Endpoint, ipv6Endpoint, parseIpAddress } from "../../src/capture/endpoint.ts";

const v6 = (text: string) => formatIpv6(parseIpAddress(text) ?? new Uint8Array(16));

describe("formatIpv6", () => {
  test("prints like Rust's Ipv6Addr Display (RFC 5952): longest zero run, first on ties, IPv4-mapped dotted", () => {
    const inputs = ["0:0:0:0:0:0:0:0", "0:0:0:0:0:0:0:1", "2a00:1450:400e:0806:0:0:0:200a", "0:0:0:0:0:ffff:c000:0201", "1:0:0:1:0:0:0:1", "1:0:0:0:1:0:0:1", "1:2:3:4:5:6:7:0", "1:0:2:0:3:0:4:0", "fe80:0:0:0:1:0:0:0"];
    expect(inputs.map(v6)).toEqual(["::", "::1", "2a00:1450:400e:806::200a", "::ffff:192.0.2.1", "1:0:0:1::1", "1::1:0:0:1", "1:2:3:4:5:6:7:0", "1:0:2:0:3:0:4:0", "fe80::1:0:0:0"]);
  });
});

describe("endpoints", () => {
  test("put the port after the address, bracketing IPv6", () => {
    expect([ipv4Endpoint(Uint8Array.of(127, 0, 0, 1), 53), ipv6Endpoint(parseIpAddress("::1") ?? new Uint8Array(16), 0)]).toEqual(["127.0.0.1:53", "[::1]:0"]);
  });
});

describe("parseIpAddress", () => {
  test("reads dotted IPv4, compressed IPv6 and IPv4-suffixed IPv6, and rejects malformed text", () => {
    expect([
      Array.from(parseIpAddress("10.1.2.3") ?? []),
      Array.from(parseIpAddress("::ffff:1.2.3.4") ?? []).slice(10),
      parseIpAddress("1.2.3"),
      parseIpAddress("1::2::3"),
      parseIpAddress("256.1.1.1"),
    ]).toEqual([[10, 1, 2, 3], [255, 255, 1, 2, 3, 4], undefined, undefined, undefined]);
  });
});
