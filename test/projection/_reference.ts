// The reference projection, kept out of the binary: the oracle of the tests and the baseline of the benches.
import {
  compareCodePoints,
  HEURISTIC_PROJECTION_NON_CLAIMS,
  PATH_PROJECTION_SCHEMA,
  PROJECTION_NON_CLAIMS,
  RUNTIME_NOISE_TAXONOMY_SCHEMA,
  type PathMapping,
  type PathProjection,
  type ProjectionRules,
} from "../../src/schema/index.ts";
import { globToRegExp, HEURISTIC_RELATION, normalizePrefix, OPERATIONS, resolveHeuristics } from "../../src/projection/index.ts";

/** The reference rules: plain lists, scanned rule by rule (what the engine must agree with). */
export interface ReferenceRules {
  readonly exact: ReadonlyMap<string, ReferenceRule>;
  readonly prefixes: readonly string[];
  readonly heuristics: readonly { readonly regex: RegExp; readonly rule: ReferenceRule }[];
  readonly sampleLimit: number;
  readonly heuristicsApplied: boolean;
}

/** What a reference rule projects to. */
export interface ReferenceRule {
  readonly projected_path: string;
  readonly path_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: "declared" | "heuristic";
}

/**
 * Prepares validated rules for the reference implementation: a direct port of upstream's helper
 * (spec §1.4) plus heuristic globs as regular expressions tried in order. It is the oracle of the
 * property tests and the baseline of the benchmarks, not the engine.
 */
export function referenceRules(rules: ProjectionRules): ReferenceRules {
  const exact = new Map<string, ReferenceRule>();
  const contract = (kind: string) => (raw: string) =>
    exact.set(raw, {
      projected_path: `workdir/${kind}`,
      path_class: "workload_fixture",
      relation: "declared_workload_contract",
      rule: `workload_contract_${kind}_path`,
      confidence: "declared",
    });
  rules.workload.input.forEach(contract("input"));
  rules.workload.output.forEach(contract("output"));
  rules.workload.scratch.forEach(contract("scratch"));
  for (const r of rules.paths) exact.set(r.raw_path, { ...r, confidence: "declared" });
  const prefixes = [...new Set(rules.workdir_prefixes.map(normalizePrefix).filter((p) => p !== ""))].sort(compareCodePoints);
  const heuristics = resolveHeuristics(rules.heuristics).map((h) => ({
    regex: globToRegExp(h.pattern),
    rule: { projected_path: h.class, path_class: h.class, relation: HEURISTIC_RELATION, rule: h.rule, confidence: "heuristic" as const },
  }));
  return { exact, prefixes, heuristics, sampleLimit: rules.sample_limit, heuristicsApplied: heuristics.length > 0 };
}

/** Projects one raw path the straightforward way; undefined when nothing matches. */
export function referenceClassifyPath(raw: string, rules: ReferenceRules): { projected_path: string; rule: ReferenceRule } | undefined {
  const whole = rules.exact.get(raw);
  if (whole) return { projected_path: whole.projected_path, rule: whole };
  const [op, path] = splitOperationPath(raw);
  const prefixed = (value: string) => (op === undefined ? value : `${op}:${value}`);
  const exact = rules.exact.get(path);
  if (exact) return { projected_path: prefixed(exact.projected_path), rule: exact };
  let best: string | undefined;
  for (const prefix of rules.prefixes) {
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      if (best === undefined || prefix.length > best.length) best = prefix;
    }
  }
  if (best !== undefined) {
    const relative = path === best ? "" : path.slice(best.length + 1);
    return {
      projected_path: prefixed(`workdir/${relative}`),
      rule: {
        projected_path: "",
        path_class: "workload_fixture",
        relation: "inside_run_workdir",
        rule: "declared_run_workdir_prefix",
        confidence: "declared",
      },
    };
  }
  for (const h of rules.heuristics) {
    if (h.regex.test(path)) return { projected_path: prefixed(h.rule.path_class), rule: h.rule };
  }
  return undefined;
}

/** Projects a set of raw paths into a `path_projection.v0` document the straightforward way. */
export function referenceProjectPaths(paths: Iterable<string>, rules: ReferenceRules): PathProjection {
  const raws = [...new Set(paths)].sort(compareCodePoints);
  const mappings: PathMapping[] = [];
  const unmatched: string[] = [];
  for (const raw of raws) {
    const hit = referenceClassifyPath(raw, rules);
    if (!hit) {
      unmatched.push(raw);
      continue;
    }
    mappings.push({
      raw_path: raw,
      projected_path: hit.projected_path,
      path_class: hit.rule.path_class,
      relation: hit.rule.relation,
      rule: hit.rule.rule,
      confidence: hit.rule.confidence,
      claim_level: "projected_equivalent",
    });
  }
  return {
    schema: PATH_PROJECTION_SCHEMA,
    status: "applied",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    claim_level: mappings.length > 0 ? "projected_equivalent" : "inconclusive",
    mappings,
    rules: [...new Set(mappings.map((m) => m.rule))].sort(compareCodePoints),
    unmatched_summary: {
      path_class: "unknown",
      count: unmatched.length,
      samples: unmatched.slice(0, rules.sampleLimit),
      sample_limit: rules.sampleLimit,
    },
    non_claims: [...(rules.heuristicsApplied ? HEURISTIC_PROJECTION_NON_CLAIMS : PROJECTION_NON_CLAIMS)],
  };
}

// --- internal ---

const OPS: ReadonlySet<string> = new Set(OPERATIONS);

function splitOperationPath(raw: string): [string | undefined, string] {
  const colon = raw.indexOf(":");
  if (colon < 0) return [undefined, raw];
  const op = raw.slice(0, colon);
  const path = raw.slice(colon + 1);
  return path.startsWith("/") && OPS.has(op) ? [op, path] : [undefined, raw];
}
