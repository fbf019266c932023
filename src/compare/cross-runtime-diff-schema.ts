import * as v from "valibot";
import { fail, type Result } from "../schema/index.ts";
import { parseInput, pathTo } from "./_input.ts";
import { compareCodePoints } from "./_order.ts";
import { isObject } from "./_problem.ts";
import { CROSS_RUNTIME_DIFF_SCHEMA } from "./_schemas.ts";
import { DIFF_STATUSES } from "./capability-diff.ts";
import { SURFACE_CATEGORIES } from "./evidence-set.ts";

/** The runtimes the v0 cross-runtime table knows (upstream argparse `choices`). */
export const KNOWN_RUNTIMES = ["s5_openai_agents", "gemini_google_genai"] as const;

/** A runtime of the v0 table. */
export const KnownRuntimeSchema = v.picklist(KNOWN_RUNTIMES, `must be one of ${KNOWN_RUNTIMES.join(", ")} (the v0 runtime table)`);

/** A runtime name of the v0 table. */
export type KnownRuntime = v.InferOutput<typeof KnownRuntimeSchema>;

/** The SDK name and version of one side, reported as side-band provenance (decision C1); other fields of an SDK event are dropped. */
export const SdkMetadataSchema = v.object({
  sdk_name: v.pipe(v.string("must be a non-empty string"), v.minLength(1, "must be a non-empty string")),
  sdk_version: v.pipe(v.string("must be a non-empty string"), v.minLength(1, "must be a non-empty string")),
});

/** SDK name and version of one side. */
export type SdkMetadata = v.InferOutput<typeof SdkMetadataSchema>;

/** The one rule of the v0 work-dir canonicalization (decision A1). */
export const A1_RULE = "work_dir_prefix_only";
/** What binding ids and policy outcomes are in v0: not compared across runtimes (B3). */
export const OUT_OF_SCOPE = "out_of_scope_cross_runtime_v0";
/** How the SDK metadata is compared: not at all, it is provenance (C1). */
export const SIDE_BAND = "side_band_provenance";

/** The v0 non-claims, in order. */
export const NON_CLAIMS = [
  "cross_runtime_no_acceptability_judgment",
  "cross_runtime_no_declared_capability_input",
  "cross_runtime_no_derived_binding_identity",
  "cross_runtime_no_filename_semantic_equivalence",
  "cross_runtime_no_sdk_capability_equivalence",
];

/** The v0 notes, in order. */
export const NOTES = [
  "cross_runtime_diff_binding_ids_out_of_scope: binding ids are not cross-runtime comparable in v0; required only for within-runtime correlation",
  "cross_runtime_diff_sdk_metadata_side_band: sdk metadata reported as side-band runtime provenance, not capability surface",
  "cross_runtime_diff_work_dir_prefix_canonicalized: filesystem_paths normalized via the A1 work-dir prefix rule",
];

/**
 * An `assay.runner.cross_runtime_diff.v0` document, keys in upstream order (spec §3.1), as upstream's
 * `validate_diff_structure` checks it: fixed blocks equal to v0's, surface lists sorted and distinct,
 * runtimes of the v0 table and different, and no SDK metadata value inside the surface (C1).
 */
export const CrossRuntimeDiffSchema = v.pipe(
  v.custom<Record<string, unknown>>(isObject, "a cross-runtime diff must be a JSON object"),
  v.strictObject(
    {
      schema: fixed(CROSS_RUNTIME_DIFF_SCHEMA),
      base_run_id: v.string("must be a string"),
      head_run_id: v.string("must be a string"),
      base_runtime: KnownRuntimeSchema,
      head_runtime: KnownRuntimeSchema,
      status: v.picklist(DIFF_STATUSES, `must be one of ${DIFF_STATUSES.join(", ")}`),
      preconditions: v.strictObject(
        {
          base_health_clean: v.boolean("must be a boolean"),
          head_health_clean: v.boolean("must be a boolean"),
          base_correlation_clean: v.boolean("must be a boolean"),
          head_correlation_clean: v.boolean("must be a boolean"),
          stable_tool_call_ids_required: v.boolean("must be a boolean"),
          stable_tool_call_ids_present: v.boolean("must be a boolean"),
          runtimes_distinct: v.boolean("must be a boolean"),
        },
        "must be an object",
      ),
      scope: v.strictObject(
        {
          projection: fixed("surface_set"),
          uses_raw_telemetry: fixed(false),
          uses_proof_pack: fixed(false),
          per_binding_capability_values: fixed(false),
          cross_runtime: fixed(true),
        },
        "must equal the v0 expected scope",
      ),
      canonicalization: v.object(
        {
          filesystem_paths: fixed(A1_RULE),
          network_endpoints: fixed("none"),
          process_execs: fixed("none"),
          mcp_tools: fixed("none"),
          policy_decisions: fixed("none"),
        },
        "must be an object",
      ),
      surface: v.object(
        { filesystem_paths: setDiff(), network_endpoints: setDiff(), process_execs: setDiff(), mcp_tools: setDiff(), policy_decisions: setDiff() },
        "must be an object",
      ),
      binding_ids: v.strictObject({ comparison: fixed(OUT_OF_SCOPE) }, `must contain only comparison = ${OUT_OF_SCOPE} in v0 (B3)`),
      policy_outcomes: v.strictObject({ comparison: fixed(OUT_OF_SCOPE) }, `must contain only comparison = ${OUT_OF_SCOPE} in v0 (B3)`),
      sdk_metadata: v.strictObject(
        {
          comparison: fixed(SIDE_BAND),
          base: v.strictObject(SdkMetadataSchema.entries, "must have exactly sdk_name and sdk_version"),
          head: v.strictObject(SdkMetadataSchema.entries, "must have exactly sdk_name and sdk_version"),
        },
        "must contain only comparison, base and head",
      ),
      unbound: v.object(
        { filesystem_paths: emptyList(), network_endpoints: emptyList(), process_execs: emptyList(), mcp_tools: emptyList(), policy_decisions: emptyList() },
        "must be an object",
      ),
      non_claims: fixedList(NON_CLAIMS, "must equal the five v0 codes in order"),
      ambiguities: emptyList(),
      notes: fixedList(NOTES, "must equal the three v0 note strings in order"),
    },
    "a cross-runtime diff must be a JSON object",
  ),
  v.forward(
    v.partialCheck([["base_runtime"], ["head_runtime"]], (d) => d.base_runtime !== d.head_runtime, "must differ from base_runtime"),
    ["head_runtime"],
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const diff = dataset.value;
    const sdk = new Set([diff.sdk_metadata.base, diff.sdk_metadata.head].flatMap((m) => [m.sdk_name, m.sdk_version]));
    for (const category of SURFACE_CATEGORIES) {
      for (const key of ["added", "removed", "unchanged"] as const) {
        const leaked = diff.surface[category][key].filter((item) => sdk.has(item));
        if (leaked.length > 0)
          addIssue({ message: `must not hold SDK metadata values (C1): ${leaked.join(", ")}`, path: pathTo(diff, ["surface", category, key]) });
      }
    }
  }),
);

/** An `assay.runner.cross_runtime_diff.v0` document. */
export type CrossRuntimeDiff = v.InferOutput<typeof CrossRuntimeDiffSchema>;

/** What a clean cross-runtime diff adds to the envelope: status clean and every precondition true. */
export const CleanCrossRuntimeDiffSchema = v.object({
  status: v.literal("clean", "must be clean for a clean diff"),
  preconditions: v.object({
    base_health_clean: v.literal(true, "must be true for a clean diff"),
    head_health_clean: v.literal(true, "must be true for a clean diff"),
    base_correlation_clean: v.literal(true, "must be true for a clean diff"),
    head_correlation_clean: v.literal(true, "must be true for a clean diff"),
    stable_tool_call_ids_required: v.literal(true, "must be true for a clean diff"),
    stable_tool_call_ids_present: v.literal(true, "must be true for a clean diff"),
    runtimes_distinct: v.literal(true, "must be true for a clean diff"),
  }),
});

/** Checks a cross-runtime diff against the v0 envelope (upstream `validate_diff_structure`); `clean` adds the clean-only rules. */
export function validateCrossRuntimeDiff(diff: unknown, file: string, options: { readonly clean?: boolean } = {}): Result<CrossRuntimeDiff> {
  const checked = parseInput(CrossRuntimeDiffSchema, diff, file, STRUCTURE);
  if (!checked.ok || options.clean !== true) return checked;
  const clean = parseInput(CleanCrossRuntimeDiffSchema, checked.value, file, STRUCTURE);
  return clean.ok ? checked : fail(...clean.issues);
}

// --- internal ---

const STRUCTURE = "CROSS_RUNTIME_DIFF_STRUCTURE";

function fixed<const T extends string | boolean>(value: T) {
  return v.literal(value, `must be ${JSON.stringify(value)} in v0`);
}

function setDiff() {
  const list = v.pipe(
    v.array(v.string("must be a string"), "must be an array"),
    v.check((items) => items.every((item, i) => i === 0 || compareCodePoints(items[i - 1] ?? "", item) <= 0), "must serialize in stable lexicographic order"),
    v.check((items) => new Set(items).size === items.length, "must not contain duplicates"),
  );
  return v.object({ added: list, removed: list, unchanged: list }, "must be an object");
}

function emptyList() {
  return v.pipe(v.array(v.string("must be a string"), "must be an array"), v.empty("must be empty in v0"));
}

function fixedList(expected: readonly string[], message: string) {
  return v.pipe(
    v.array(v.string(message), message),
    v.check((items) => items.length === expected.length && items.every((item, i) => item === expected[i]), message),
  );
}
