import { sortUnique, PATH_PROJECTION_SCHEMA, RUNTIME_NOISE_TAXONOMY_SCHEMA, type PathProjection } from "../schema/index.ts";
import { REPEATED, UNDECIDED, type ByteClassifier } from "./byte-classifier.ts";
import { classifyPathId, mappingOf } from "./classify-path.ts";
import { nonClaims } from "./project-paths.ts";
import { SampleKeeper } from "./sample-keeper.ts";

/**
 * `projectPaths` over the lines held in a byte core's input `[0, length)`: the same document, made
 * with strings only for the matched paths and the sample candidates (repeats found on the bytes).
 * Undefined when a line is not valid UTF-8: two different invalid lines may decode to one string,
 * which only the string engine's set sees.
 */
export function projectLineBytes(classifier: ByteClassifier, length: number): PathProjection | undefined {
  const compiled = classifier.compiled;
  const count = classifier.distinctRows(length);
  let rows = classifier.rows();
  const keeper = new SampleKeeper(compiled.sampleLimit);
  const matched: string[] = [];
  const idOf = new Map<string, number>();
  let unmatched = 0;
  for (let i = 0; i < count * 3; i += 3) {
    // A sample threshold longer than the room kept for it allocates, which may move the memory.
    if (rows.length === 0) rows = classifier.rows();
    const start = rows[i]!;
    const end = rows[i + 1]!;
    let id = rows[i + 2]!;
    if (id === REPEATED) continue;
    if (id === UNDECIDED) {
      if (!classifier.isUtf8(start, end)) return undefined;
      id = classifyPathId(classifier.text(start, end), compiled);
    }
    if (id >= 0) {
      const raw = classifier.text(start, end);
      matched.push(raw);
      idOf.set(raw, id);
    } else {
      unmatched++;
      if (classifier.isBelow(start, end, keeper.threshold())) keeper.offer(classifier.text(start, end));
    }
  }
  const mappings = sortUnique(matched).map((raw) => mappingOf(raw, idOf.get(raw)!, compiled));
  return {
    schema: PATH_PROJECTION_SCHEMA,
    status: "applied",
    taxonomy_schema: RUNTIME_NOISE_TAXONOMY_SCHEMA,
    claim_level: mappings.length > 0 ? "projected_equivalent" : "inconclusive",
    mappings,
    rules: sortUnique(mappings.map((m) => m.rule)),
    unmatched_summary: { path_class: "unknown", count: unmatched, samples: keeper.values(), sample_limit: compiled.sampleLimit },
    non_claims: nonClaims(compiled),
  };
}
