// Projection throughput: the classification core and the full path_projection.v0 document at 10,
// 1 000 and 10 000 declared rules, with built-in heuristics, and network projection; the engine
// against the straightforward reference (upstream's algorithm, rule by rule) in one mitata summary
// per subject. The whole `assay-runner project` process (both engines) is measured by
// projection-core.bench.ts.
import { bench, do_not_optimize, run, summary } from "mitata";
import {
  classifyPathIds,
  compileRulesOrThrow,
  matchEndpoint,
  parseIpAddress,
  parseIpNetwork,
  projectPaths,
  sortUniqueCodePoints,
  endpointHost,
  type CompiledRules,
} from "../src/projection/index.ts";
import { referenceClassifyPath, referenceProjectPaths, referenceRules } from "../test/projection/_reference.ts";
import { generateEndpoints, generatePaths, generateRules, networkRules } from "../test/fixtures/projection/path-sets.ts";

const RULES = [10, 1000, 10000];
// The reference scans every rule for every path: it gets a smaller set so the run stays short;
// every figure below is a rate (paths/s), so the sizes need not match.
const REFERENCE_PATHS = 4000;
const ENGINE_PATHS = 1_000_000;

const paths = generatePaths(ENGINE_PATHS);
// A sorted set as a surface holds it once loaded: strings laid out in order in memory. (The sort's
// own output points at strings scattered in generation order, and every pass over it is cache
// misses: measured 3.8x slower for the same work, which no input read from a file shows.)
const sortedPaths = JSON.parse(JSON.stringify(sortUniqueCodePoints(paths))) as string[];
const fewPaths = paths.slice(0, REFERENCE_PATHS);
const compiled = new Map<string, CompiledRules>();
const rulesFor = (count: number, heuristics: "none" | "builtin" = "none"): CompiledRules => {
  const key = `${count}/${heuristics}`;
  let c = compiled.get(key);
  if (!c) compiled.set(key, (c = compileRulesOrThrow(generateRules(count, heuristics))));
  return c;
};
const sizes = new Map<string, number>();
const refCache: Record<string, ReturnType<typeof referenceRules>> = {};
const rate = (name: string, n: number) => sizes.set(name, n);
const out1 = new Int32Array(paths.length);

summary(() => {
  bench("core: reference $rules rules", function* (state: { get(k: string): number }) {
    const ref = referenceRules(rulesFor(state.get("rules")).rules);
    yield () => {
      let hits = 0;
      for (const p of fewPaths) if (referenceClassifyPath(p, ref)) hits++;
      return hits;
    };
  })
    .args("rules", RULES)
    .baseline();
  bench("core: engine $rules rules", function* (state: { get(k: string): number }) {
    const c = rulesFor(state.get("rules"));
    const out = new Int32Array(paths.length);
    yield () => do_not_optimize(classifyPathIds(paths, c, out));
  }).args("rules", RULES);
});
for (const r of RULES) {
  rate(`core: reference ${r} rules`, REFERENCE_PATHS);
  rate(`core: engine ${r} rules`, ENGINE_PATHS);
}

summary(() => {
  bench("core+builtin: reference 1000 rules", () => {
    const ref = referenceRulesCached("1000/builtin");
    let hits = 0;
    for (const p of fewPaths) if (referenceClassifyPath(p, ref)) hits++;
    return hits;
  }).baseline();
  bench("core+builtin: engine 1000 rules", () => do_not_optimize(classifyPathIds(paths, rulesFor(1000, "builtin"), out1)));
  bench("core+builtin: engine 1000 rules, sorted set", () => do_not_optimize(classifyPathIds(sortedPaths, rulesFor(1000, "builtin"), out1)));
});
rate("core+builtin: reference 1000 rules", REFERENCE_PATHS);
rate("core+builtin: engine 1000 rules", ENGINE_PATHS);
rate("core+builtin: engine 1000 rules, sorted set", sortedPaths.length);

summary(() => {
  bench("document: reference 1000 rules", () => referenceProjectPaths(fewPaths, referenceRulesCached("1000/none")).mappings.length).baseline();
  bench("document: engine 1000 rules, sorted set", () => projectPaths(sortedPaths, rulesFor(1000)).mappings.length).gc("inner");
  bench("document: engine 1000 rules, unsorted with duplicates", () => projectPaths(paths, rulesFor(1000)).mappings.length).gc("inner");
});
rate("document: reference 1000 rules", REFERENCE_PATHS);
rate("document: engine 1000 rules, sorted set", sortedPaths.length);
rate("document: engine 1000 rules, unsorted with duplicates", ENGINE_PATHS);

const endpoints = generateEndpoints(200_000);
const net = compileRulesOrThrow({ schema: "assay.runner.projection_rules.v0", network: networkRules() });
const naiveCidrs = net.rules.network.cidrs.map((c) => ({ network: parseIpNetwork(c.cidr)!, cls: c.class }));
summary(() => {
  bench("network: reference (CIDR list scan)", () => {
    let hits = 0;
    for (const e of endpoints) if (naiveMatch(e)) hits++;
    return hits;
  }).baseline();
  bench("network: engine", () => {
    let hits = 0;
    for (const e of endpoints) if (matchEndpoint(e, net.network)) hits++;
    return hits;
  });
});
rate("network: reference (CIDR list scan)", endpoints.length);
rate("network: engine", endpoints.length);

const result = await run();

// mitata's summaries compare time per call, and a reference call covers 4 000 paths where an
// engine call covers 1 000 000: the rates below are the comparable figures.
console.log("\nThroughput (p50 of each bench above; paths or endpoints per second; compare these, not the per-call summaries):");
for (const trial of result.benchmarks) {
  for (const r of trial.runs) {
    if (!r.stats) continue;
    const n = sizes.get(r.name);
    if (n === undefined) continue;
    console.log(`  ${r.name.padEnd(56)} ${(n / (r.stats.p50 / 1e9) / 1e6).toFixed(2).padStart(8)} M/s`);
  }
}

// --- internal ---

function referenceRulesCached(key: string) {
  const [count, heuristics] = key.split("/") as [string, "none" | "builtin"];
  return (refCache[key] ??= referenceRules(rulesFor(Number(count), heuristics).rules));
}

function naiveMatch(endpoint: string): string | undefined {
  const exact = net.rules.network.endpoints[endpoint];
  if (exact) return exact;
  const address = parseIpAddress(endpointHost(endpoint));
  if (!address) return undefined;
  for (const { network, cls } of naiveCidrs) {
    if (network.address.version !== address.version) continue;
    const bits = network.prefixLength;
    const words = address.version === 4 ? [address.value] : address.words;
    const nets = network.address.version === 4 ? [network.address.value] : network.address.words;
    let inside = true;
    for (let i = 0; i < words.length && inside; i++) {
      const keep = Math.max(0, Math.min(32, bits - 32 * i));
      const mask = keep === 0 ? 0 : (0xffffffff << (32 - keep)) >>> 0;
      inside = (words[i]! & mask) >>> 0 === nets[i];
    }
    if (inside) return cls;
  }
  return undefined;
}
