import type { PathMapping } from "../schema/index.ts";
import type { CompiledRules, HeuristicTables } from "./compile-rules.ts";
import { operationOffset } from "./operation-split.ts";

/** One raw path's projection: the mapping fields, or the unmatched verdict (class `unknown`, raw value kept). */
export interface PathClassification {
  readonly raw_path: string;
  readonly projected_path: string;
  readonly path_class: string;
  readonly relation: string;
  readonly rule: string;
  readonly confidence: "declared" | "heuristic" | "unknown";
  readonly claim_level: "projected_equivalent" | "raw_observed";
}

/** Relation of an unmatched path. */
export const UNMATCHED_RELATION = "unmatched";
/** Rule of an unmatched path. */
export const UNMATCHED_RULE = "no_matching_rule";

/**
 * The id of the rule that projects `raw` (an index into `compiled.entries`), or -1: whole-value
 * exact rule, then the operation split, exact rule on the path part, longest declared prefix on a
 * `/` boundary, then (declared always first) the lowest-numbered heuristic glob that matches.
 */
export function classifyPathId(raw: string, compiled: CompiledRules): number {
  return classifyPathIdAt(raw, operationOffset(raw), compiled);
}

/** `classifyPathId` for a path whose operation offset (`operationOffset(raw)`) and last `/` are known. */
export function classifyPathIdAt(raw: string, off: number, compiled: CompiledRules, slash: number = -2): number {
  let id = compiled.exact.get(raw, 0);
  if (id >= 0) return id;
  if (off > 0) {
    id = compiled.exact.get(raw, off);
    if (id >= 0) return id;
  }
  id = compiled.prefixes.longest(raw, off);
  if (id >= 0) return id;
  const heuristics = compiled.heuristicTables;
  return heuristics === undefined ? -1 : heuristicId(raw, off, slash === -2 ? raw.lastIndexOf("/") : slash, heuristics);
}

/** Classifies one raw path into a mapping-shaped record (unmatched paths keep their raw value). */
export function classifyPath(raw: string, compiled: CompiledRules): PathClassification {
  const id = classifyPathId(raw, compiled);
  if (id < 0) {
    return {
      raw_path: raw,
      projected_path: raw,
      path_class: "unknown",
      relation: UNMATCHED_RELATION,
      rule: UNMATCHED_RULE,
      confidence: "unknown",
      claim_level: "raw_observed",
    };
  }
  return mappingOf(raw, id, compiled);
}

/** The mapping row of `raw` under rule `id` (as `classifyPathId` returned it, not -1). */
export function mappingOf(raw: string, id: number, compiled: CompiledRules): PathMapping {
  const entry = compiled.entries[id]!;
  return {
    raw_path: raw,
    projected_path: projectedPathOf(raw, id, compiled),
    path_class: entry.path_class,
    relation: entry.relation,
    rule: entry.rule,
    confidence: entry.confidence,
    claim_level: "projected_equivalent",
  };
}

// --- internal ---

// The projected value of `raw` under rule `id`.
function projectedPathOf(raw: string, id: number, compiled: CompiledRules): string {
  const entry = compiled.entries[id]!;
  const off = operationOffset(raw);
  const op = off > 0 ? raw.slice(0, off) : "";
  switch (entry.kind) {
    case "exact":
      // A whole-value hit carries no operation prefix, even for an `op:/path` value.
      return compiled.exact.get(raw, 0) === id ? entry.target : op + entry.target;
    case "prefix": {
      const length = entry.target.length;
      const relative = raw.length - off === length ? "" : raw.slice(off + length + 1);
      return `${op}workdir/${relative}`;
    }
    case "heuristic":
      return op + entry.path_class;
  }
}

function heuristicId(raw: string, off: number, slash: number, tables: HeuristicTables): number {
  let best = tables.exact.get(raw, off);
  if (best < 0) best = Infinity;
  const prefix = tables.prefixes.longest(raw, off);
  if (prefix >= 0 && prefix < best) best = prefix;
  best = tables.segments.lowest(raw, off, slash, best);
  const regexes = tables.regexes;
  const head = tables.regexHead;
  // One shared-head check skips every regular-expression glob for most paths; its second
  // character (the first is usually `/`) decides most of them before the costlier `startsWith`.
  if (regexes.length > 0 && (head.length < 2 || raw.charCodeAt(off + 1) === head.charCodeAt(1)) && raw.startsWith(head, off)) {
    let suffix: string | undefined;
    for (const candidate of regexes) {
      if (candidate.index >= best) break;
      if (!raw.startsWith(candidate.head, off)) continue;
      suffix ??= off === 0 ? raw : raw.slice(off);
      if (candidate.regex.test(suffix)) {
        best = candidate.index;
        break;
      }
    }
  }
  return best === Infinity ? -1 : tables.entryBase + best;
}
