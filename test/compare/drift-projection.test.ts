import { describe, expect, test } from "bun:test";
import {
  DriftConfigError,
  endpointHost,
  networkProjectionBlock,
  parseDriftProjectionRules,
  pathProjectionBlock,
  projectNetworkEndpoint,
  projectPathValue,
} from "../../src/compare/index.ts";

const rules = (input: Partial<{ pathAliases: string[]; networkAliases: string[]; networkCidrs: string[] }>) =>
  parseDriftProjectionRules({ pathAliases: [], networkAliases: [], networkCidrs: [], ...input });

describe("projectPathValue", () => {
  const { pathAliases } = rules({ pathAliases: ["/w/in.txt=workdir/input", "/a:/b=weird"] });
  test("projects op:/absolute values by their path, and leaves op:relative, URIs and // values raw", () => {
    const values = [
      "read:/w/in.txt",
      ":/w/in.txt",
      "exclusive:/w/in.txt",
      "read:w/in.txt",
      "https://example.test/file",
      "read://w/in.txt",
      "/w/in.txt",
      "/a:/b",
    ];
    expect(values.map((value) => projectPathValue(value, pathAliases).projected_value)).toEqual([
      "read:workdir/input",
      ":workdir/input",
      "exclusive:workdir/input",
      "read:w/in.txt",
      "https://example.test/file",
      "read://w/in.txt",
      "workdir/input",
      // Upstream quirk kept: a plain path containing ":/" is split, so the whole-value alias never applies.
      "/a:/b",
    ]);
  });
});

describe("projectNetworkEndpoint", () => {
  const { network } = rules({
    networkAliases: ["127.0.0.53:53=dns"],
    networkCidrs: ["162.159.0.0/16=provider_api", "172.66.0.0/16=provider_api", "2a00:1450:400e::/48=provider_api", "162.159.140.0/24=telemetry"],
  });
  test("uses exact aliases, then the first declared CIDR (not the longest), with bracketed IPv6 hosts", () => {
    const endpoints = ["127.0.0.53:53", "162.159.140.245:443", "[2a00:1450:400e:806::200a]:443", "api.openai.com:443", "10.0.0.1:80"];
    expect(endpoints.map((e) => projectNetworkEndpoint(e, network).projected_value)).toEqual([
      "dns",
      "provider_api",
      "provider_api",
      "api.openai.com:443",
      "10.0.0.1:80",
    ]);
  });

  test("takes the host inside brackets, else before the last colon", () => {
    expect(["[::1]:53", "1.2.3.4:0", "hostonly", "[]:1"].map(endpointHost)).toEqual(["::1", "1.2.3.4", "hostonly", "[]"]);
  });
});

describe("projection blocks", () => {
  test("CIDR aliases on both sides make provider_api shared and the block projected_equivalent", () => {
    const r = rules({ networkCidrs: ["162.159.0.0/16=provider_api", "172.66.0.0/16=provider_api"] });
    const block = networkProjectionBlock("network_endpoints", ["162.159.140.245:443"], ["172.66.0.243:443"], r.network);
    expect([block.claim_level, block.in_both, block.rules]).toEqual(["projected_equivalent", ["provider_api"], ["declared_network_cidr_alias"]]);
  });

  test("mappings on one side only leave the block inconclusive; unmatched samples are sorted and capped at 3", () => {
    const r = rules({ pathAliases: ["/a/in=workdir/input"] });
    const block = pathProjectionBlock("filesystem_paths_touched", ["/a/in", "/z", "/y", "/x", "/w"], ["/b/in"], r.pathAliases);
    expect([block.claim_level, block.unmatched_summary]).toEqual([
      "inconclusive",
      { a: { side: "a", count: 4, samples: ["/w", "/x", "/y"], sample_limit: 3 }, b: { side: "b", count: 1, samples: ["/b/in"], sample_limit: 3 } },
    ]);
  });

  test("without aliases the blocks say not_applied with upstream's reasons", () => {
    const r = rules({});
    expect([pathProjectionBlock("x", [], [], r.pathAliases).reason, networkProjectionBlock("n", [], [], r.network).reason]).toEqual([
      "no path aliases declared",
      "no network aliases declared",
    ]);
  });
});

describe("parseDriftProjectionRules", () => {
  const rejection = (input: Parameters<typeof rules>[0]): string => {
    try {
      rules(input);
      return "accepted";
    } catch (error) {
      return error instanceof DriftConfigError ? error.message : String(error);
    }
  };
  test("rejects duplicates, bad syntax, wrong-domain classes and invalid CIDRs", () => {
    expect([
      rejection({ pathAliases: ["/x=a", "/x=b"] }),
      rejection({ pathAliases: ["/x"] }),
      rejection({ pathAliases: [" =b"] }),
      rejection({ networkAliases: ["1.2.3.4:1=dns", "1.2.3.4:1=dns"] }),
      rejection({ networkAliases: ["1.2.3.4:1=workload_fixture"] }),
      rejection({ networkAliases: ["1.2.3.4:1=nonsense"] }),
      rejection({ networkCidrs: ["162.159.0.0/16=provider_api", "162.159.140.245/16=dns"] }),
      rejection({ networkCidrs: ["300.1.1.1/8=dns"] }),
    ]).toEqual([
      '--path-alias: duplicate path alias for "/x"',
      '--path-alias: expected RAW=PROJECTED, got "/x"',
      '--path-alias: expected non-empty RAW and PROJECTED, got " =b"',
      '--network-alias: duplicate network alias for "1.2.3.4:1"',
      '--network-alias: taxonomy class "workload_fixture" does not apply to "network"',
      '--network-alias: unknown taxonomy class "nonsense"; expected one of: cache, dns, experiment_harness, loader, package_fetch, provider_api, provider_sdk, runtime_package, telemetry, unknown, workload_fixture',
      '--network-cidr: duplicate network CIDR alias for "162.159.0.0/16"',
      '--network-cidr: invalid network CIDR "300.1.1.1/8"',
    ]);
  });
});
