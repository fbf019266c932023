import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { decideEgress, deriveEgressPolicy, egressPolicyBytes, matchHostRule, parseEgressPolicy } from "../../src/egress/index.ts";
import { deriveEndpointNames } from "../../src/schema/index.ts";

const POLICY = {
  schema: "assay.runner.egress_policy.v0",
  endpoints: ["127.0.0.53:53", "[2001:DB8:0:0::1]:443"],
  cidrs: [{ cidr: "10.1.2.3/8", ports: [443, 80] }, { cidr: "192.168.0.0/16" }],
  ports: [123],
  hosts: [{ name: "*.Example.test", ports: [443] }, { name: "api.example.test" }],
};

function compiled(input: unknown = POLICY) {
  const result = parseEgressPolicy(input, "policy.json");
  if (!result.ok) throw new Error(result.issues[0].message);
  return result.value;
}

describe("parseEgressPolicy", () => {
  test("normalises into canonical form and digests its canonical bytes", () => {
    const c = compiled();
    expect(c.policy).toEqual({
      schema: "assay.runner.egress_policy.v0",
      endpoints: ["127.0.0.53:53", "[2001:db8::1]:443"],
      cidrs: [{ cidr: "10.0.0.0/8", ports: [80, 443] }, { cidr: "192.168.0.0/16" }],
      ports: [123],
      hosts: [{ name: "*.example.test", ports: [443] }, { name: "api.example.test" }],
    });
    expect(c.digest).toBe(`sha256:${createHash("sha256").update(JSON.stringify(c.policy)).digest("hex")}`);
    expect(new TextDecoder().decode(egressPolicyBytes(c.policy))).toBe(JSON.stringify(c.policy));
  });

  test("gives the same digest for the same policy written in another order", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(POLICY.cidrs, { minLength: 2 }),
        fc.shuffledSubarray(POLICY.hosts, { minLength: 2 }),
        fc.shuffledSubarray(POLICY.endpoints, { minLength: 2 }),
        (cidrs, hosts, endpoints) => {
          expect(compiled({ ...POLICY, cidrs, hosts, endpoints }).digest).toBe(compiled().digest);
        },
      ),
    );
  });

  test("names file, field and expectation for bad input", () => {
    const cases = [
      { ...POLICY, mode: "block" },
      { ...POLICY, hosts: [{ name: "a.*.test" }] },
      { ...POLICY, cidrs: [{ cidr: "10.0.0.0/33" }] },
      { ...POLICY, endpoints: ["1.2.3.4:70000"] },
    ].map((input) => {
      const result = parseEgressPolicy(input, "policy.json");
      return result.ok ? "ok" : `${result.issues[0].file} ${result.issues[0].path}`;
    });
    expect(cases).toEqual(["policy.json mode", "policy.json hosts.0.name", "policy.json cidrs.0.cidr", "policy.json endpoints.0"]);
  });
});

describe("matchHostRule and decideEgress", () => {
  test("a wildcard covers names below it, not the suffix itself; an exact name wins over a wildcard", () => {
    const c = compiled();
    expect(["api.example.test", "x.y.example.test", "example.test", "badexample.test"].map((n) => matchHostRule(n, c)?.name ?? null)).toEqual([
      "api.example.test",
      "example.test",
      null,
      null,
    ]);
  });

  test("allows static tuples by prefix and port, and answered addresses of allowed names on their ports", () => {
    const c = compiled();
    const answered = new Map([
      ["127.0.0.2", ["www.example.test"]],
      ["127.0.0.9", ["other.test"]],
    ]);
    const attempts: [string, number][] = [
      ["127.0.0.53", 53],
      ["10.200.0.1", 443],
      ["10.200.0.1", 22],
      ["192.168.5.5", 22],
      ["8.8.8.8", 123],
      ["2001:db8::1", 443],
      ["127.0.0.2", 443],
      ["127.0.0.2", 80],
      ["127.0.0.9", 443],
    ];
    expect(attempts.map(([a, p]) => decideEgress(c, a, p, answered).allowed)).toEqual([true, true, false, true, true, true, true, false, false]);
  });
});

describe("deriveEgressPolicy", () => {
  const archiveA = {
    endpoints: ["127.0.0.2:443", "127.0.0.53:53", "203.0.113.80:443", "registry.example.test:443"],
    rows: [{ kind: "dns_answer", value: "api.example.test", network_destination: "127.0.0.2" }],
  };
  const archiveB = { endpoints: ["127.0.0.7:8443"], rows: [{ kind: "dns_answer", value: "api.example.test", network_destination: "127.0.0.7" }] };
  const observed = (a: typeof archiveA) => ({ endpoints: a.endpoints, names: deriveEndpointNames(a.rows, a.endpoints) });

  test("allows named endpoints by name and port, unnamed ones as themselves", () => {
    const derived = deriveEgressPolicy([observed(archiveA), observed(archiveB)]);
    expect(derived.ok && derived.value.policy).toEqual({
      schema: "assay.runner.egress_policy.v0",
      endpoints: ["127.0.0.53:53", "203.0.113.80:443"],
      cidrs: [],
      ports: [],
      hosts: [
        { name: "api.example.test", ports: [443, 8443] },
        { name: "registry.example.test", ports: [443] },
      ],
    });
  });

  test("is independent of the order of archives and endpoints", () => {
    const reference = deriveEgressPolicy([observed(archiveA), observed(archiveB)]);
    fc.assert(
      fc.property(fc.boolean(), fc.shuffledSubarray(archiveA.endpoints, { minLength: 4 }), (swap, endpoints) => {
        const a = observed({ ...archiveA, endpoints });
        const result = deriveEgressPolicy(swap ? [observed(archiveB), a] : [a, observed(archiveB)]);
        expect(result.ok && reference.ok && result.value.digest).toBe(reference.ok ? reference.value.digest : "");
      }),
    );
  });
});
