import { ok, validateProjectionRules, type Issue, type ProjectionRules, type ProjectionRulesInput, type Result, type Where } from "../schema/index.ts";
import { BUILTIN_HEURISTICS } from "./builtin-heuristics.ts";
import { globShape } from "./glob.ts";
import { operationOffset } from "./operation-split.ts";
import { compileNetworkRules, type CompiledNetworkRules } from "./network-rules.ts";
import { BoundaryPrefixTable } from "./boundary-prefix-table.ts";
import { ExactTable } from "./exact-table.ts";
import { SegmentTable } from "./segment-table.ts";

/** What a rule id stands for: the fields a mapping copies, and how its projected value is formed. */
export interface RuleEntry {
  /** `exact` maps to `projected_path`, `prefix` to `workdir/<relative>`, `heuristic` to the class name. */
  readonly kind: "exact" | "prefix" | "heuristic";
  /** The declared projected path (exact rules); the prefix (prefix rules); the glob (heuristics). */
  readonly target: string;
  readonly path_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: "declared" | "heuristic";
}

/** One heuristic glob after `"builtin"` was expanded, in precedence order. */
export interface ResolvedHeuristic {
  readonly pattern: string;
  readonly class: string;
  readonly rule: string;
}

/** Rules compiled into lookup tables; build once with `compileRules`, then project any number of inputs. */
export interface CompiledRules {
  /** The validated rules with defaults applied. */
  readonly rules: ProjectionRules;
  /** How many unmatched samples documents keep. */
  readonly sampleLimit: number;
  /** Whether any heuristic glob is in force (it changes the non-claims). */
  readonly heuristicsApplied: boolean;
  /** The heuristic globs in precedence order (`"builtin"` expanded). */
  readonly heuristics: readonly ResolvedHeuristic[];
  /** Rule ids → what they stand for; ids are what `classifyPathId` returns. */
  readonly entries: readonly RuleEntry[];
  /** Compiled network aliases. */
  readonly network: CompiledNetworkRules;
  /** @internal exact raw-path rules (last duplicate wins). */
  readonly exact: ExactTable;
  /** @internal declared workdir prefixes, normalized. */
  readonly prefixes: BoundaryPrefixTable;
  /** @internal heuristic tables, absent when no heuristic is in force. */
  readonly heuristicTables: HeuristicTables | undefined;
  /**
   * @internal Directories some exact rule or prefix (declared or heuristic) names a child of:
   * only there can a path's last segment change what its directory decides.
   */
  readonly leafRuleDirs: ReadonlySet<string>;
}

/** @internal The heuristic globs compiled by shape; values are glob indexes (lower wins). */
export interface HeuristicTables {
  readonly entryBase: number;
  readonly exact: ExactTable;
  readonly prefixes: BoundaryPrefixTable;
  readonly segments: SegmentTable;
  readonly regexes: readonly { readonly index: number; readonly head: string; readonly regex: RegExp }[];
  /** The longest text every regex head starts with: one check skips all of them. */
  readonly regexHead: string;
}

/** Relation of a heuristic mapping. */
export const HEURISTIC_RELATION = "heuristic_pattern";

/**
 * Validates a rules file (parsed JSON or a literal object) and compiles it; issues name the file
 * and field (bad CIDRs and CIDRs that are duplicates after normalisation included).
 */
export function compileRules(input: ProjectionRulesInput | unknown, where: Where = { file: "<rules>" }): Result<CompiledRules> {
  const validated = validateProjectionRules(input, where);
  if (!validated.ok) return validated;
  const rules = validated.value;
  const network = compileNetworkRules(rules.network, where);
  if (!network.ok) return network;

  const entries: RuleEntry[] = [];
  const exact = new ExactTable();
  // Keys whose directories `leafRuleDirs` lists, computed on first use (a short input never asks).
  const leafKeys: string[] = [];
  let leafRuleDirs: Set<string> | undefined;
  const addExact = (raw: string, entry: RuleEntry): void => {
    // Later rules replace earlier ones for the same raw path (upstream: last duplicate wins).
    exact.set(raw, entries.length);
    leafKeys.push(raw);
    entries.push(entry);
  };
  const contract = (kind: "input" | "output" | "scratch") => (raw: string) =>
    addExact(raw, {
      kind: "exact",
      target: `workdir/${kind}`,
      path_class: "workload_fixture",
      relation: "declared_workload_contract",
      rule: `workload_contract_${kind}_path`,
      confidence: "declared",
    });
  rules.workload.input.forEach(contract("input"));
  rules.workload.output.forEach(contract("output"));
  rules.workload.scratch.forEach(contract("scratch"));
  for (const rule of rules.paths) {
    addExact(rule.raw_path, {
      kind: "exact",
      target: rule.projected_path,
      path_class: rule.path_class,
      relation: rule.relation,
      rule: rule.rule,
      confidence: "declared",
    });
  }

  const prefixes = compilePrefixes(rules.workdir_prefixes, entries, leafKeys);

  const heuristics = resolveHeuristics(rules.heuristics);
  const entryBase = entries.length;
  for (const glob of heuristics) {
    entries.push({
      kind: "heuristic",
      target: glob.pattern,
      path_class: glob.class,
      relation: HEURISTIC_RELATION,
      rule: glob.rule,
      confidence: "heuristic",
    });
  }
  return ok({
    rules,
    sampleLimit: rules.sample_limit,
    heuristicsApplied: heuristics.length > 0,
    heuristics,
    entries,
    network: network.value,
    exact,
    prefixes,
    heuristicTables: heuristics.length > 0 ? compileHeuristics(heuristics, entryBase, leafKeys) : undefined,
    get leafRuleDirs() {
      return (leafRuleDirs ??= leafRuleDirsOf(leafKeys));
    },
  });
}

/** Like `compileRules`, but throws the first issue's message; for literal rules in code and tests. */
export function compileRulesOrThrow(input: ProjectionRulesInput): CompiledRules {
  const compiled = compileRules(input);
  if (!compiled.ok) throw new TypeError(compiled.issues.map((issue: Issue) => issue.message).join("; "));
  return compiled.value;
}

/** Normalizes a workdir prefix as upstream's `add_workdir_prefix`: trailing `/` popped while longer than 1. */
export function normalizePrefix(prefix: string): string {
  let end = prefix.length;
  while (end > 1 && prefix.charCodeAt(end - 1) === 47) end--;
  return prefix.slice(0, end);
}

/** Expands the heuristics setting into globs in precedence order. */
export function resolveHeuristics(setting: ProjectionRules["heuristics"]): ResolvedHeuristic[] {
  if (setting === "none") return [];
  const items = setting === "builtin" ? ["builtin" as const] : setting;
  return items.flatMap((item) =>
    item === "builtin"
      ? BUILTIN_HEURISTICS.map((b) => ({ pattern: b.pattern, class: b.class, rule: b.rule }))
      : [{ pattern: item.pattern, class: item.class, rule: item.rule ?? `heuristic_glob:${item.pattern}` }],
  );
}

// --- internal ---

// Declared workdir prefixes, normalized (duplicates after normalizing dropped), appended to `entries`.
function compilePrefixes(raws: readonly string[], entries: RuleEntry[], leafKeys: string[]): BoundaryPrefixTable {
  const prefixes = new BoundaryPrefixTable();
  for (const raw of raws) {
    const prefix = normalizePrefix(raw);
    if (prefix === "" || prefixes.has(prefix)) continue;
    prefixes.set(prefix, entries.length);
    leafKeys.push(prefix);
    entries.push({
      kind: "prefix",
      target: prefix,
      path_class: "workload_fixture",
      relation: "inside_run_workdir",
      rule: "declared_run_workdir_prefix",
      confidence: "declared",
    });
  }
  return prefixes;
}

function compileHeuristics(globs: readonly ResolvedHeuristic[], entryBase: number, leafKeys: string[]): HeuristicTables {
  const exact = new ExactTable();
  const prefixIndex = new Map<string, number>();
  const segments = new SegmentTable();
  const regexes: { index: number; head: string; regex: RegExp }[] = [];
  globs.forEach((glob, index) => {
    const shape = globShape(glob.pattern);
    switch (shape.kind) {
      case "exact":
        exact.setFirst(shape.literal, index);
        leafKeys.push(shape.literal);
        break;
      case "prefix":
        if (!prefixIndex.has(shape.literal)) prefixIndex.set(shape.literal, index);
        leafKeys.push(shape.literal);
        break;
      case "segments":
        segments.addRun(shape.segments, index);
        break;
      case "basename":
        segments.addBasename(shape.name, index);
        break;
      case "regex":
        // Through the shape's getter, so the expression is still built only when first tested.
        regexes.push({
          index,
          head: shape.head,
          get regex() {
            return shape.regex;
          },
        });
        break;
    }
  });
  // A path inside a prefix is inside each of its ancestors too: store the lowest index on the chain,
  // so the longest-prefix probe alone yields the winning rule.
  const prefixes = new BoundaryPrefixTable();
  for (const [prefix, index] of prefixIndex) {
    let lowest = index;
    for (let j = prefix.indexOf("/", 1); j > 0; j = prefix.indexOf("/", j + 1)) {
      const ancestor = prefixIndex.get(prefix.slice(0, j));
      if (ancestor !== undefined && ancestor < lowest) lowest = ancestor;
    }
    prefixes.set(prefix, lowest);
  }
  regexes.sort((a, b) => a.index - b.index);
  return { entryBase, exact, prefixes, segments, regexes, regexHead: commonPrefix(regexes.map((r) => r.head)) };
}

// A key is compared with a whole value or with the path part after an operation: the directories
// of both readings (an extra directory costs speed there, a missing one a wrong answer).
function leafRuleDirsOf(keys: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const key of keys) {
    const slash = key.lastIndexOf("/");
    if (slash < 0) continue;
    dirs.add(key.slice(0, slash));
    const off = operationOffset(key);
    if (off > 0) dirs.add(key.slice(off, slash));
  }
  return dirs;
}

function commonPrefix(heads: readonly string[]): string {
  if (heads.length === 0) return "";
  let common = heads[0]!;
  for (const head of heads) while (!head.startsWith(common)) common = common.slice(0, -1);
  return common;
}
