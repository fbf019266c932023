import {
  isStrictlyAscending,
  sortUnique,
  HEURISTIC_PROJECTION_NON_CLAIMS,
  PATH_PROJECTION_SCHEMA,
  PROJECTION_NON_CLAIMS,
  RUNTIME_NOISE_TAXONOMY_SCHEMA,
  type PathProjection,
} from "../schema/index.ts";
import { mappingOf } from "./classify-path.ts";
import { distinctStrings } from "./distinct-strings.ts";
import { PathClassifier } from "./path-classifier.ts";
import { SampleKeeper } from "./sample-keeper.ts";
import type { CompiledRules } from "./compile-rules.ts";

/**
 * Projects a set of raw paths into an `assay.runner.path_projection.v0` document (spec §1.2–1.5):
 * the input is treated as a set (order and duplicates do not matter) and never modified; mappings
 * come in UTF-8 byte order of the raw path, unmatched paths are counted with the first
 * `sample_limit` kept as samples. With no heuristics the document is upstream's, field for field.
 */
export function projectPaths(paths: Iterable<string>, compiled: CompiledRules): PathProjection {
  const used = new Uint8Array(compiled.entries.length);
  // Deduplicate only when the input may hold repeats: natively strictly ascending strings
  // are distinct, whatever their code-point order, and that check rides along the classifying pass
  // (a sorted array's strings lie scattered in memory: each extra pass over them is cache misses).
  // Then sort only what is mapped; the unmatched need a count and the smallest few, not an order.
  const ascending = Array.isArray(paths) ? split(paths, compiled, true) : undefined;
  const { matched, ids, unmatched, keeper } = ascending ?? split(distinctStrings(Array.isArray(paths) ? paths : [...paths]), compiled, false)!;
  // UTF-16 order is code-point order unless surrogates reorder it; otherwise sort, and classify again.
  let order = matched;
  let orderIds = ids;
  if (ascending === undefined || !isStrictlyAscending(matched)) {
    order = sortUnique(matched);
    const classifier = new PathClassifier(compiled);
    orderIds = order.map((raw) => classifier.classify(raw));
  }
  const mappings = order.map((raw, i) => {
    used[orderIds[i]!] = 1;
    return mappingOf(raw, orderIds[i]!, compiled);
  });
  return {
    schema: PATH_PROJECTION_SCHEMA,
    status: "applied",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    // Upstream decides on this side alone: something projected, or nothing (spec §1.3).
    claim_level: mappings.length > 0 ? "projected_equivalent" : "inconclusive",
    mappings,
    rules: firedRules(used, compiled),
    unmatched_summary: { path_class: "unknown", count: unmatched, samples: keeper.values(), sample_limit: compiled.sampleLimit },
    non_claims: nonClaims(compiled),
  };
}

/** The projected values of a projection (upstream `PathProjection::projected_paths`), in UTF-8 byte order. */
export function projectedPaths(projection: PathProjection): string[] {
  return sortUnique(projection.mappings.map((m) => m.projected_path));
}

/** The non-claims a projection under these rules carries, in upstream order. */
export function nonClaims(compiled: CompiledRules): string[] {
  return [...(compiled.heuristicsApplied ? HEURISTIC_PROJECTION_NON_CLAIMS : PROJECTION_NON_CLAIMS)];
}

// --- internal ---

// The sorted, distinct rule names of the rule ids marked in `used`.
function firedRules(used: Uint8Array, compiled: CompiledRules): string[] {
  const names: string[] = [];
  for (let id = 0; id < used.length; id++) if (used[id]! > 0) names.push(compiled.entries[id]!.rule);
  return sortUnique(names);
}

interface Split {
  readonly matched: string[];
  /** The rule id of each matched path. */
  readonly ids: number[];
  readonly unmatched: number;
  readonly keeper: SampleKeeper;
}

// Classifies each value once, keeping the matched ones with their rule ids. With `ascendingOnly`
// it gives up (undefined) at the first pair not strictly ascending in UTF-16 order: one native
// comparison per pair, made while the strings are cached.
function split(values: readonly string[], compiled: CompiledRules, ascendingOnly: boolean): Split | undefined {
  const classifier = new PathClassifier(compiled);
  const matched: string[] = [];
  const ids: number[] = [];
  const keeper = new SampleKeeper(compiled.sampleLimit);
  let unmatched = 0;
  let previous: string | undefined;
  for (const raw of values) {
    if (ascendingOnly) {
      if (previous !== undefined && !(previous < raw)) return undefined;
      previous = raw;
    }
    const id = classifier.classify(raw);
    if (id >= 0) {
      matched.push(raw);
      ids.push(id);
    } else {
      unmatched++;
      keeper.offer(raw);
    }
  }
  return { matched, ids, unmatched, keeper };
}
