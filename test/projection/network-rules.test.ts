import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { NetworkProjectionSchema, type ProjectionRulesInput } from "../../src/schema/index.ts";
import {
  classifyEndpoint,
  compileRules,
  compileRulesOrThrow,
  endpointHost,
  parseIpAddress,
  parseIpNetwork,
  projectEndpoints,
  type IpAddress,
} from "../../src/projection/index.ts";

const SCHEMA = "assay.runner.projection_rules.v0";
const network = (n: NonNullable<ProjectionRulesInput["network"]>, extra: Partial<ProjectionRulesInput> = {}) =>
  compileRulesOrThrow({ schema: SCHEMA, network: n, ...extra });

// V8 (`test_drift.py`) network cases, and the §1.10 semantics.
describe("projectEndpoints (V8 network cases)", () => {
  test("CIDR aliases put both providers' addresses into provider_api", () => {
    const compiled = network({
      cidrs: [
        { cidr: "162.159.0.0/16", class: "provider_api" },
        { cidr: "172.66.0.0/16", class: "provider_api" },
      ],
    });
    const a = projectEndpoints(["162.159.140.245:443", "172.66.0.243:0"], compiled);
    expect(a.status === "applied" && a.mappings.map((m) => [m.raw_endpoint, m.projected_endpoint, m.relation, m.rule])).toEqual([
      ["162.159.140.245:443", "provider_api", "declared_cidr", "declared_network_cidr_alias"],
      ["172.66.0.243:0", "provider_api", "declared_cidr", "declared_network_cidr_alias"],
    ]);
  });

  test("a bracketed IPv6 endpoint matches an IPv6 CIDR", () => {
    const compiled = network({ cidrs: [{ cidr: "2a00:1450:400e::/48", class: "provider_api" }] });
    expect(classifyEndpoint("[2a00:1450:400e:806::200a]:443", compiled)).toEqual({
      raw_endpoint: "[2a00:1450:400e:806::200a]:443",
      projected_endpoint: "provider_api",
      network_class: "provider_api",
      relation: "declared_cidr",
      rule: "declared_network_cidr_alias",
      confidence: "declared",
      claim_level: "projected_equivalent",
    });
  });

  test("CIDRs that are equal after normalisation are rejected, naming the field", () => {
    const result = compileRules(
      {
        schema: SCHEMA,
        network: {
          cidrs: [
            { cidr: "162.159.0.0/16", class: "provider_api" },
            { cidr: "162.159.140.245/16", class: "dns" },
          ],
        },
      },
      { file: "rules.json" },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => [i.code, i.file, i.path])).toEqual([["CIDR_DUPLICATE", "rules.json", "network.cidrs.1.cidr"]]);
      expect(result.issues[0].message).toContain("network.cidrs.0.cidr");
    }
  });

  test("host suffixes that differ only in case are rejected as duplicates", () => {
    const result = compileRules({ schema: SCHEMA, network: { hosts: { "OpenAI.com": "provider_api", "openai.com": "provider_api" } } });
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(["HOST_SUFFIX_DUPLICATE"]);
  });

  test("an unknown network class is rejected, naming the field", () => {
    const result = compileRules({ schema: SCHEMA, network: { endpoints: { "1.1.1.1:53": "workload_fixture" } } }, { file: "r.json" });
    expect(result.ok ? [] : result.issues.map((i) => [i.file, i.path])).toEqual([["r.json", 'network.endpoints["1.1.1.1:53"]']]);
  });

  test("the exact endpoint alias wins and keys on the whole string", () => {
    const compiled = network({ endpoints: { "127.0.0.53:53": "dns" }, cidrs: [{ cidr: "127.0.0.0/8", class: "telemetry" }] });
    expect(["127.0.0.53:53", "127.0.0.53:54"].map((e) => classifyEndpoint(e, compiled).network_class)).toEqual(["dns", "telemetry"]);
  });

  test("the first declared containing CIDR wins, not the longest", () => {
    const compiled = network({
      cidrs: [
        { cidr: "10.0.0.0/8", class: "telemetry" },
        { cidr: "10.1.0.0/16", class: "provider_api" },
      ],
    });
    expect(classifyEndpoint("10.1.2.3:443", compiled).network_class).toBe("telemetry");
  });

  test("IPv4 never matches IPv6 networks, host names never match CIDRs", () => {
    const compiled = network({
      cidrs: [
        { cidr: "::/0", class: "telemetry" },
        { cidr: "0.0.0.0/0", class: "dns" },
      ],
    });
    expect(["1.2.3.4:1", "[::1]:1", "::ffff:1.2.3.4:1", "example.com:443"].map((e) => classifyEndpoint(e, compiled).network_class)).toEqual([
      "dns",
      "telemetry",
      "telemetry",
      "unknown",
    ]);
  });

  test("host-name suffixes match on a label boundary, longest suffix first, case-insensitively", () => {
    const compiled = network({ hosts: { "openai.com": "provider_api", "telemetry.openai.com": "telemetry", "pypi.org": "package_fetch" } });
    expect(
      ["API.OpenAI.com:443", "x.telemetry.openai.com:443", "notopenai.com:443", "openai.com", "pypi.org:443"].map(
        (e) => classifyEndpoint(e, compiled).network_class,
      ),
    ).toEqual(["provider_api", "telemetry", "unknown", "provider_api", "package_fetch"]);
  });

  test("an unmatched endpoint keeps its raw value and is counted with sorted samples", () => {
    const doc = projectEndpoints(["9.9.9.9:0", "1.1.1.1:0", "127.0.0.53:53"], network({ endpoints: { "127.0.0.53:53": "dns" } }, { sample_limit: 1 }));
    expect(doc).toEqual({
      schema: "assay.runner.network_projection.v0",
      status: "applied",
      taxonomy_schema: "assay.runner.runtime_noise_taxonomy.v0",
      claim_level: "projected_equivalent",
      mappings: [
        {
          raw_endpoint: "127.0.0.53:53",
          projected_endpoint: "dns",
          network_class: "dns",
          relation: "declared_endpoint",
          rule: "declared_network_alias",
          confidence: "declared",
          claim_level: "projected_equivalent",
        },
      ],
      rules: ["declared_network_alias"],
      unmatched_summary: { network_class: "unknown", count: 2, samples: ["1.1.1.1:0"], sample_limit: 1 },
      non_claims: expect.any(Array),
    });
    expect(v.is(NetworkProjectionSchema, doc)).toBe(true);
  });

  test("with no network aliases the projection is not applied", () => {
    const doc = projectEndpoints(["1.1.1.1:0"], compileRulesOrThrow({ schema: SCHEMA }));
    expect(doc.status).toBe("not_applied");
    expect(v.is(NetworkProjectionSchema, doc)).toBe(true);
  });
});

describe("endpointHost", () => {
  test("takes the text inside brackets, else before the last colon, else the whole string", () => {
    expect(["[::1]:53", "[]:1", "1.2.3.4:80", "::1", "host", "[x"].map(endpointHost)).toEqual(["::1", "[]", "1.2.3.4", ":", "host", "[x"]);
  });
});

describe("parseIpAddress follows Python's ipaddress", () => {
  test("rejects leading-zero octets and accepts scoped IPv6", () => {
    expect(["01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", " 1.2.3.4"].map(parseIpAddress)).toEqual(Array(6).fill(undefined));
    expect(parseIpAddress("fe80::1%eth0")).toEqual({ version: 6, words: [0xfe800000, 0, 0, 1] });
    expect(parseIpAddress("fe80::1%")).toBeUndefined();
  });

  test("parses IPv6 forms and rejects malformed ones", () => {
    expect(parseIpAddress("::")).toEqual({ version: 6, words: [0, 0, 0, 0] });
    expect(parseIpAddress("::ffff:1.2.3.4")).toEqual({ version: 6, words: [0, 0, 0xffff, 0x01020304] });
    expect(parseIpAddress("1:2:3:4:5:6:7:8")).toEqual({ version: 6, words: [0x10002, 0x30004, 0x50006, 0x70008] });
    expect(["1::2::3", ":1::2", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::", "1:2:3:4:5:6:7::8", ":::"].map(parseIpAddress)).toEqual(
      Array(8).fill(undefined),
    );
  });

  test("parses CIDRs with host bits, netmasks and host masks (strict=False)", () => {
    expect(parseIpNetwork("162.159.140.245/16")).toEqual({ address: { version: 4, value: 0xa29f0000 }, prefixLength: 16 });
    expect(parseIpNetwork("10.0.0.0/255.0.0.0")?.prefixLength).toBe(8);
    expect(parseIpNetwork("10.0.0.0/0.0.0.255")?.prefixLength).toBe(24);
    expect(parseIpNetwork("10.0.0.1")?.prefixLength).toBe(32);
    expect(["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/1/2", "::/129", "x/8", "10.0.0.0/255.0.255.0"].map(parseIpNetwork)).toEqual(Array(6).fill(undefined));
  });
});

describe("CIDR lookup", () => {
  test("equals a first-match scan over the declared list", () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((h) => h.map((x) => x.toString(16)).join(":"));
    const cidr = fc.oneof(
      fc.tuple(v4, fc.nat(32)).map(([a, p]) => `${a}/${p}`),
      fc.tuple(v6, fc.nat(128)).map(([a, p]) => `${a}/${p}`),
    );
    fc.assert(
      fc.property(fc.uniqueArray(cidr, { maxLength: 8, selector: (c) => JSON.stringify(parseIpNetwork(c)) }), fc.array(fc.oneof(v4, v6)), (cidrs, hosts) => {
        const compiled = compileRulesOrThrow({ schema: SCHEMA, network: { cidrs: cidrs.map((c, i) => ({ cidr: c, class: i % 2 ? "dns" : "telemetry" })) } });
        for (const host of hosts) {
          const endpoint = host.includes(":") ? `[${host}]:1` : `${host}:1`;
          const address = parseIpAddress(host)!;
          const first = cidrs.findIndex((c) => contains(parseIpNetwork(c)!, address));
          expect(classifyEndpoint(endpoint, compiled).network_class).toBe(first < 0 ? "unknown" : first % 2 ? "dns" : "telemetry");
        }
      }),
      { numRuns: 300 },
    );
  });
});

// A deliberately different containment test (BigInt arithmetic) for the equivalence check.
function contains(network: { address: IpAddress; prefixLength: number }, address: IpAddress): boolean {
  if (network.address.version !== address.version) return false;
  const bits = address.version === 4 ? 32n : 128n;
  const big = (a: IpAddress) => (a.version === 4 ? BigInt(a.value) : a.words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n));
  const shift = bits - BigInt(network.prefixLength);
  return big(network.address) >> shift === big(address) >> shift;
}
