import { compareCodePoints, PATH_CLASSES, PROJECTION_SUMMARY_SCHEMA, RUNTIME_NOISE_TAXONOMY_SCHEMA, type PathProjectionSummary } from "../schema/index.ts";
import { PathClassifier } from "./path-classifier.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { nonClaims } from "./project-paths.ts";
import { SampleKeeper } from "./sample-keeper.ts";

/**
 * Counts a stream of raw paths in memory independent of its length: per rule, per class, and the
 * unmatched count with the `sample_limit` smallest distinct unmatched paths. Each added value counts
 * once per call (a stream is not deduplicated; a set's document comes from `projectPaths`).
 */
export class PathTally {
  private readonly perRule: Float64Array;
  private readonly samples: SampleKeeper;
  private readonly classifier: PathClassifier;
  private inputCount = 0;
  private unmatched = 0;

  constructor(private readonly compiled: CompiledRules) {
    this.perRule = new Float64Array(compiled.entries.length);
    this.samples = new SampleKeeper(compiled.sampleLimit);
    this.classifier = new PathClassifier(compiled);
  }

  /** Classifies and counts one raw path; returns its rule id (-1 unmatched). */
  add(raw: string): number {
    const id = this.classifier.classify(raw);
    this.inputCount++;
    if (id >= 0) this.perRule[id]!++;
    else {
      this.unmatched++;
      this.samples.offer(raw);
    }
    return id;
  }

  /** The summary of everything added so far. */
  summary(): PathProjectionSummary {
    return tallySummary(this.compiled, { perRule: this.perRule, unmatched: this.unmatched, inputCount: this.inputCount, samples: this.samples.values() });
  }
}

/** What a tally has counted: per rule id, unmatched, all lines, and the smallest distinct unmatched values. */
export interface TallyCounts {
  readonly perRule: ArrayLike<number>;
  readonly unmatched: number;
  readonly inputCount: number;
  /** At most `sample_limit`, in code-point order. */
  readonly samples: readonly string[];
}

/** The `path_projection_summary` document of tally counts under `compiled`. */
export function tallySummary(compiled: CompiledRules, counts: TallyCounts): PathProjectionSummary {
  const classes: Record<string, number> = {};
  for (const cls of PATH_CLASSES) classes[cls] = 0;
  const rules = new Map<string, number>();
  const entries = compiled.entries;
  let matched = 0;
  for (let id = 0; id < counts.perRule.length; id++) {
    const count = counts.perRule[id]!;
    if (count === 0) continue;
    const entry = entries[id]!;
    matched += count;
    classes[entry.path_class] = (classes[entry.path_class] ?? 0) + count;
    rules.set(entry.rule, (rules.get(entry.rule) ?? 0) + count);
  }
  classes.unknown! += counts.unmatched;
  const ruleNames = [...rules.keys()].sort(compareCodePoints);
  return {
    schema: PROJECTION_SUMMARY_SCHEMA,
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    claim_level: matched > 0 ? "projected_equivalent" : "inconclusive",
    input_count: counts.inputCount,
    classes,
    rules: Object.fromEntries(ruleNames.map((name) => [name, rules.get(name)!])),
    unmatched_summary: {
      path_class: "unknown",
      count: counts.unmatched,
      samples: [...counts.samples],
      sample_limit: compiled.sampleLimit,
    },
    non_claims: nonClaims(compiled),
  };
}
