import { describe, expect, test } from "bun:test";
import { classifyEndpoint, compileRulesOrThrow, projectEndpoints } from "../../src/projection/index.ts";
import { deriveEndpointNames } from "../../src/schema/index.ts";

const rules = compileRulesOrThrow({
  schema: "assay.runner.projection_rules.v0",
  network: {
    endpoints: { "127.0.0.53:53": "dns" },
    cidrs: [{ cidr: "10.0.0.0/8", class: "provider_api" }],
    hosts: { "example.test": "package_fetch", "api.example.test": "provider_api" },
  },
});

const rows = [
  { kind: "dns_answer", value: "api.example.test", network_destination: "127.0.0.2" },
  { kind: "dns_answer", value: "www.example.test", network_destination: "127.0.0.4" },
  { kind: "dns_answer", value: "internal.example.test", network_destination: "10.1.1.1" },
  { kind: "dns_answer", value: "resolver.example.test", network_destination: "127.0.0.53" },
];
const endpoints = ["127.0.0.2:443", "127.0.0.4:443", "10.1.1.1:443", "127.0.0.53:53", "203.0.113.80:443"];
const names = deriveEndpointNames(rows, endpoints);

describe("classifyEndpoint with names", () => {
  test("an exact alias and a CIDR still win; otherwise the longest host suffix of the endpoint's names", () => {
    expect(
      endpoints.map((e) => {
        const c = classifyEndpoint(e, rules, names);
        return [e, c.network_class, c.rule, c.host ?? null, c.host_source ?? null];
      }),
    ).toEqual([
      ["127.0.0.2:443", "provider_api", "declared_network_host_alias", "api.example.test", "resolved"],
      ["127.0.0.4:443", "package_fetch", "declared_network_host_alias", "www.example.test", "resolved"],
      ["10.1.1.1:443", "provider_api", "declared_network_cidr_alias", "internal.example.test", "resolved"],
      ["127.0.0.53:53", "dns", "declared_network_alias", "resolver.example.test", "resolved"],
      ["203.0.113.80:443", "unknown", "no_declared_network_alias", null, null],
    ]);
  });

  test("the longest suffix over all of an endpoint's names wins", () => {
    const shared = deriveEndpointNames(
      [
        { kind: "dns_answer", value: "cdn.example.test", network_destination: "127.0.0.9" },
        { kind: "dns_answer", value: "v1.api.example.test", network_destination: "127.0.0.9" },
      ],
      ["127.0.0.9:443"],
    );
    const c = classifyEndpoint("127.0.0.9:443", rules, shared);
    expect([c.network_class, c.host]).toEqual(["provider_api", "v1.api.example.test"]);
  });
});

describe("projectEndpoints with names", () => {
  test("writes host fields only on endpoints that have a name, so nameless input keeps its bytes", () => {
    const without = JSON.stringify(projectEndpoints(endpoints, rules));
    const withEmptyNames = JSON.stringify(projectEndpoints(endpoints, rules, new Map()));
    expect(withEmptyNames).toBe(without);
    expect(without).not.toContain('"host"');
    const named = projectEndpoints(endpoints, rules, names);
    expect(named.status === "applied" && named.mappings.map((m) => [m.raw_endpoint, m.network_class, m.host ?? null])).toEqual([
      ["10.1.1.1:443", "provider_api", "internal.example.test"],
      ["127.0.0.2:443", "provider_api", "api.example.test"],
      ["127.0.0.4:443", "package_fetch", "www.example.test"],
      ["127.0.0.53:53", "dns", "resolver.example.test"],
    ]);
  });
});
