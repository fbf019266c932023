import * as v from "valibot";
import { CAPABILITY_SURFACE_SCHEMA } from "./constants.ts";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import { firstUnsortedIndex } from "./code-point-order.ts";
import { RunIdSchema } from "./run-id.ts";

/** The five set-valued fields of the capability surface, in field order. */
export const SURFACE_FIELDS = ["filesystem_paths", "network_endpoints", "process_execs", "mcp_tools", "policy_decisions"] as const;

/** One of the five set-valued fields of the capability surface. */
export type SurfaceField = (typeof SURFACE_FIELDS)[number];

const CapabilitySurfaceEntries = v.object({
  schema: v.literal(CAPABILITY_SURFACE_SCHEMA),
  run_id: RunIdSchema,
  filesystem_paths: v.array(v.string()),
  network_endpoints: v.array(v.string()),
  process_execs: v.array(v.string()),
  mcp_tools: v.array(v.string()),
  policy_decisions: v.array(v.string()),
});

/**
 * `capability-surface.json` (`assay.runner.capability_surface.v0`, spec §2.6): five string sets,
 * each written sorted by UTF-8 bytes without duplicates (Rust `BTreeSet<String>`).
 */
export const CapabilitySurfaceSchema = v.pipe(
  CapabilitySurfaceEntries,
  v.rawCheck<v.InferOutput<typeof CapabilitySurfaceEntries>>(invariants<v.InferOutput<typeof CapabilitySurfaceEntries>>(surfaceViolations)),
);

/** A parsed `capability-surface.json`. */
export type CapabilitySurface = v.InferOutput<typeof CapabilitySurfaceSchema>;

// --- internal ---

// deviation: upstream's serde reader would accept an unsorted list and sort it into a BTreeSet;
// no upstream writer produces one, and our digests and diffs rely on the written order, so we reject it.
function surfaceViolations(surface: v.InferOutput<typeof CapabilitySurfaceEntries>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  for (const field of SURFACE_FIELDS) {
    const items = surface[field];
    const at = firstUnsortedIndex(items);
    if (at < 0) continue;
    const duplicate = items[at] === items[at - 1];
    violations.push({
      path: [field, at],
      expected: duplicate ? "no duplicates" : `an item after ${shown(items[at - 1])} in UTF-8 byte order`,
      received: shown(items[at]),
      message: duplicate
        ? `capability_surface.v0: ${field} lists ${shown(items[at])} twice; it is a set`
        : `capability_surface.v0: ${field} must be sorted by UTF-8 bytes; ${shown(items[at])} comes after ${shown(items[at - 1])}`,
    });
  }
  return violations;
}
