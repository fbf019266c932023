import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatIpNetwork, networkContains, parseIpAddress, parseIpNetwork } from "../../src/projection/index.ts";

describe("parseIpAddress", () => {
  test("follows Python ipaddress: no leading zeros, four octets, scoped IPv6 allowed, embedded IPv4 allowed", () => {
    const inputs = [
      "127.0.0.53",
      "010.0.0.1",
      "1.2.3",
      "256.1.1.1",
      "2a00:1450:400e:806::200a",
      "fe80::1%eth0",
      "fe80::1%",
      "::ffff:1.2.3.4",
      "1::2::3",
      "api.openai.com",
      "",
    ];
    expect(inputs.map((text) => parseIpAddress(text)?.version ?? null)).toEqual([4, null, null, null, 6, 6, null, 6, null, null, null]);
  });
});

describe("parseIpNetwork", () => {
  test("clears host bits like strict=False and prints Python's normalized form", () => {
    const shown = ["162.159.140.245/16", "2a00:1450:400e:806::200a/48", "10.0.0.0/255.0.0.0", "1.2.3.4", "::/0"].map((t) => {
      const network = parseIpNetwork(t);
      return network ? formatIpNetwork(network) : null;
    });
    expect(shown).toEqual(["162.159.0.0/16", "2a00:1450:400e::/48", "10.0.0.0/8", "1.2.3.4/32", "::/0"]);
  });

  test("rejects prefixes beyond the address width and non-addresses", () => {
    expect(["1.2.3.4/33", "example.com/8", "1.2.3.4/x", "1.2.3.4/8/9"].map((t) => parseIpNetwork(t) ?? null)).toEqual([null, null, null, null]);
  });
});

describe("networkContains", () => {
  test("matches within a version only: an IPv4 address never matches an IPv6 network", () => {
    const v6 = parseIpNetwork("::/0");
    const v4 = parseIpNetwork("172.66.0.0/16");
    const a4 = parseIpAddress("172.66.0.243");
    const a6 = parseIpAddress("2a00:1450:400e:806::200a");
    if (!v6 || !v4 || !a4 || !a6) throw new Error("fixtures must parse");
    expect([networkContains(v6, a4), networkContains(v4, a4), networkContains(v6, a6), networkContains(v4, a6)]).toEqual([false, true, true, false]);
  });
});

describe("the drift and projection edges where Python's ipaddress decides", () => {
  test("a host mask is a prefix too, as ip_network(strict=False) reads it", () => {
    const shown = ["10.0.0.0/0.0.0.255", "10.1.2.3/0.0.255.255", "10.0.0.0/0.0.0.0", "10.0.0.0/255.255.255.255"].map((t) => {
      const network = parseIpNetwork(t);
      return network ? formatIpNetwork(network) : null;
    });
    expect(shown).toEqual(["10.0.0.0/24", "10.1.0.0/16", "0.0.0.0/0", "10.0.0.0/32"]);
    expect(["1.2.3.4/255.0.255.0", "::1/255.0.0.0"].map((t) => parseIpNetwork(t) ?? null)).toEqual([null, null]);
  });

  test("a scope zone may not hold a second '%'", () => {
    expect(["fe80::1%eth0", "fe80::1%a%b", "fe80::1%"].map((t) => parseIpAddress(t)?.version ?? null)).toEqual([6, null, null]);
  });
});

describe("networkContains against a BigInt reference", () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
  const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((h) => h.map((x) => x.toString(16)).join(":"));
  const big = (text: string): bigint => {
    if (text.includes(".")) return text.split(".").reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
    return text.split(":").reduce((acc, h) => (acc << 16n) | BigInt(`0x${h}`), 0n);
  };

  test("an address is inside exactly when its top prefix bits equal the network's", () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), fc.oneof(v4, v6), fc.nat(128), (net, host, length) => {
        const bits = net.includes(".") ? 32 : 128;
        const prefix = length % (bits + 1);
        const network = parseIpNetwork(`${net}/${prefix}`);
        const address = parseIpAddress(host);
        if (!network || !address) throw new Error("generated values must parse");
        const sameVersion = host.includes(".") === net.includes(".");
        const shift = BigInt(bits - prefix);
        expect(networkContains(network, address)).toBe(sameVersion && big(host) >> shift === big(net) >> shift);
      }),
    );
  });

  test("an address is always inside the network written with it", () => {
    fc.assert(
      fc.property(v6, fc.nat(128), (host, prefix) => {
        const network = parseIpNetwork(`${host}/${prefix}`);
        const address = parseIpAddress(host);
        expect(network !== undefined && address !== undefined && networkContains(network, address)).toBe(true);
      }),
    );
  });
});
