import { describe, expect, test } from "bun:test";
import { deriveEgressPolicyFromBaseline } from "../../src/egress/index.ts";
import { validateBaseline } from "../../src/schema/index.ts";

const baseline = validateBaseline(
  {
    schema: "assay.runner.baseline.v0",
    run_count: 1,
    runs: [{ run_id: "run_1", manifest_digest: `sha256:${"0".repeat(64)}` }],
    rules: {
      schema: "assay.runner.projection_rules.v0",
      network: { endpoints: { "127.0.0.53:53": "dns" }, cidrs: [{ cidr: "162.159.0.0/16", class: "provider_api" }], hosts: { "openai.com": "provider_api" } },
    },
    path_classes: [],
    paths: [],
    execs: [],
    network_classes: [
      { class: "dns", runs: 1 },
      { class: "provider_api", runs: 1 },
    ],
    endpoints: [
      { endpoint: "203.0.113.5:443", network_class: "unknown", runs: 1 },
      { endpoint: "dns", network_class: "dns", runs: 1 },
      { endpoint: "provider_api", network_class: "provider_api", runs: 1 },
      { endpoint: "registry.npmjs.org:443", network_class: "unknown", runs: 1 },
    ],
  },
  { file: "baseline.json" },
);

describe("deriveEgressPolicyFromBaseline", () => {
  test("allows unclassified entries as themselves and classes through the rules that define them", () => {
    if (!baseline.ok) throw new Error(JSON.stringify(baseline.issues));
    const derived = deriveEgressPolicyFromBaseline(baseline.value);
    if (!derived.ok) throw new Error(JSON.stringify(derived.issues));
    const { endpoints, cidrs, hosts } = derived.value.policy;
    expect({ endpoints, cidrs, hosts }).toEqual({
      endpoints: ["127.0.0.53:53", "203.0.113.5:443"],
      cidrs: [{ cidr: "162.159.0.0/16" }],
      hosts: [{ name: "*.openai.com" }, { name: "openai.com" }, { name: "registry.npmjs.org", ports: [443] }],
    });
  });
});
