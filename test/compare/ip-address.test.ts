import { describe, expect, test } from "bun:test";
import { formatIpNetwork, networkContains, parseIpAddress, parseIpNetwork } from "../../src/compare/index.ts";

describe("parseIpAddress", () => {
  test("follows Python ipaddress: no leading zeros, four octets, scoped IPv6 allowed, embedded IPv4 allowed", () => {
    const inputs = ["127.0.0.53", "010.0.0.1", "1.2.3", "256.1.1.1", "2a00:1450:400e:806::200a", "fe80::1%eth0", "fe80::1%", "::ffff:1.2.3.4", "1::2::3", "api.openai.com", ""];
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
