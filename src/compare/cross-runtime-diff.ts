import { fail, ok, type Result } from "../schema/index.ts";
import { compareCodePoints } from "./_order.ts";
import { describe, isObject, Problem, problem } from "./_problem.ts";
import { CROSS_RUNTIME_DIFF_SCHEMA, SDK_EVENT_SCHEMA } from "./_schemas.ts";
import { diffStatus, type DiffStatus } from "./capability-diff.ts";
import { checkSide, diffCategory, diffPreconditions, emptyUnbound, perCategory, SURFACE_CATEGORIES, type EvidenceSet, type SetDiff, type SurfaceCategory } from "./evidence-set.ts";

/** The runtimes the v0 cross-runtime table knows (upstream argparse `choices`). */
export const KNOWN_RUNTIMES = ["s5_openai_agents", "gemini_google_genai"] as const;

/** SDK name and version of one side, reported as side-band provenance (decision C1). */
export interface SdkMetadata {
  readonly sdk_name: string;
  readonly sdk_version: string;
}

/** Declared configuration of a cross-runtime diff: both runtimes and both work-dir prefixes. */
export interface CrossRuntimeConfig {
  readonly baseRuntime: string;
  readonly headRuntime: string;
  readonly baseWorkDirPrefix: string;
  readonly headWorkDirPrefix: string;
}

/** An `assay.runner.cross_runtime_diff.v0` document, keys in upstream order (spec §3.1). */
export interface CrossRuntimeDiff {
  readonly schema: typeof CROSS_RUNTIME_DIFF_SCHEMA;
  readonly base_run_id: string;
  readonly head_run_id: string;
  readonly base_runtime: string;
  readonly head_runtime: string;
  readonly status: DiffStatus;
  readonly preconditions: Readonly<Record<(typeof PRECONDITION_KEYS)[number], boolean>>;
  readonly scope: typeof EXPECTED_SCOPE;
  readonly canonicalization: Readonly<Record<SurfaceCategory, string>>;
  readonly surface: Record<SurfaceCategory, SetDiff>;
  readonly binding_ids: { readonly comparison: string };
  readonly policy_outcomes: { readonly comparison: string };
  readonly sdk_metadata: { readonly comparison: string; readonly base: SdkMetadata; readonly head: SdkMetadata };
  readonly unbound: Record<SurfaceCategory, string[]>;
  readonly non_claims: string[];
  readonly ambiguities: string[];
  readonly notes: string[];
}

/** The canonical replacement of a declared work-dir prefix (decision A1). */
export const WORK_PLACEHOLDER = "<work>/";

/** Projects the cross-runtime diff of two evidence sets with their SDK metadata, or the first problem (spec §3.1). */
export function projectCrossRuntimeDiff(
  config: CrossRuntimeConfig,
  base: EvidenceSet & { readonly sdk: SdkMetadata },
  head: EvidenceSet & { readonly sdk: SdkMetadata },
): Result<CrossRuntimeDiff> {
  try {
    return ok(project(config, base, head));
  } catch (error) {
    if (error instanceof Problem) return fail(error.issue);
    throw error;
  }
}

/** Rewrites a path under the declared prefix to `<work>/…`; anything else stays as it is (idempotent). */
export function canonicalizeWorkPath(path: string, prefix: string): string {
  return path.startsWith(prefix) ? WORK_PLACEHOLDER + path.slice(prefix.length) : path;
}

/** Checks a declared work-dir prefix: non-empty, absolute, ending in `/`. */
export function checkWorkDirPrefix(prefix: string, flag: string): Result<string> {
  const bad = (expected: string, message: string): Result<string> =>
    fail({ code: "WORK_DIR_PREFIX_INVALID", file: "<command line>", path: flag, expected, received: describe(prefix), message: `${flag}: ${message}` });
  if (prefix.length === 0) return bad("a non-empty prefix", "work-dir prefix must not be empty");
  if (!prefix.startsWith("/")) return bad("an absolute prefix", "work-dir prefix must be absolute");
  if (!prefix.endsWith("/")) return bad("a prefix ending in /", "work-dir prefix must end with /");
  return ok(prefix);
}

/** Reads the single (sdk_name, sdk_version) pair of an SDK layer; zero or several pairs are problems. */
export function parseSdkMetadata(text: string, file: string): Result<SdkMetadata> {
  const pairs = new Map<string, SdkMetadata>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]?.replace(/\r$/, "") ?? "";
    if (line.trim().length === 0) continue;
    const where = { code: "SDK_LINE_INVALID", file, line: index + 1, path: "" };
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return fail({ ...where, expected: "a JSON object", received: "invalid JSON", message: "invalid JSON" });
    }
    if (!isObject(event)) return fail({ ...where, expected: "a JSON object", received: describe(event), message: "expected a JSON object" });
    if (event.schema !== SDK_EVENT_SCHEMA) continue;
    const name = event.sdk_name;
    const version = event.sdk_version;
    if (name === undefined || name === null || version === undefined || version === null) continue;
    for (const [field, value] of [["sdk_name", name], ["sdk_version", version]] as const) {
      if (typeof value !== "string" || value.length === 0) {
        return fail({ ...where, path: field, expected: "a non-empty string", received: describe(value), message: `${field} must be a non-empty string` });
      }
    }
    pairs.set(JSON.stringify([name, version]), { sdk_name: name as string, sdk_version: version as string });
  }
  const found = [...pairs.values()];
  const first = found[0];
  if (first === undefined) {
    return fail({ code: "SDK_METADATA_MISSING", file, path: "sdk_name", expected: "one sdk_name/sdk_version pair", received: "none", message: "no SDK event carries sdk_name and sdk_version" });
  }
  if (found.length > 1) {
    const listed = found.map((p) => `${p.sdk_name}@${p.sdk_version}`).sort(compareCodePoints).join(", ");
    return fail({ code: "SDK_METADATA_INCONSISTENT", file, path: "sdk_name", expected: "one sdk_name/sdk_version pair", received: listed, message: `inconsistent SDK metadata: ${listed}` });
  }
  return ok(first);
}

/** Checks a cross-runtime diff against the v0 envelope (upstream `validate_diff_structure`); `clean` adds the clean-only rules. */
export function validateCrossRuntimeDiff(diff: unknown, file: string, options: { readonly clean?: boolean } = {}): Result<CrossRuntimeDiff> {
  try {
    validateStructure(diff, file, options.clean === true);
    return ok(diff as CrossRuntimeDiff);
  } catch (error) {
    if (error instanceof Problem) return fail(error.issue);
    throw error;
  }
}

// --- internal ---

const PRECONDITION_KEYS = [
  "base_health_clean",
  "head_health_clean",
  "base_correlation_clean",
  "head_correlation_clean",
  "stable_tool_call_ids_required",
  "stable_tool_call_ids_present",
  "runtimes_distinct",
] as const;

const EXPECTED_SCOPE = {
  projection: "surface_set",
  uses_raw_telemetry: false,
  uses_proof_pack: false,
  per_binding_capability_values: false,
  cross_runtime: true,
} as const;

const A1_RULE = "work_dir_prefix_only";
const OUT_OF_SCOPE = "out_of_scope_cross_runtime_v0";
const SIDE_BAND = "side_band_provenance";
const STATUSES = ["clean", "partial:health", "partial:correlation", "partial:unbound", "failed"];
const TOP_LEVEL_KEYS = [
  "schema", "base_run_id", "head_run_id", "base_runtime", "head_runtime", "status", "preconditions", "scope",
  "canonicalization", "surface", "binding_ids", "policy_outcomes", "sdk_metadata", "unbound", "non_claims",
  "ambiguities", "notes",
];

const NON_CLAIMS = [
  "cross_runtime_no_acceptability_judgment",
  "cross_runtime_no_declared_capability_input",
  "cross_runtime_no_derived_binding_identity",
  "cross_runtime_no_filename_semantic_equivalence",
  "cross_runtime_no_sdk_capability_equivalence",
];

const NOTES = [
  "cross_runtime_diff_binding_ids_out_of_scope: binding ids are not cross-runtime comparable in v0; required only for within-runtime correlation",
  "cross_runtime_diff_sdk_metadata_side_band: sdk metadata reported as side-band runtime provenance, not capability surface",
  "cross_runtime_diff_work_dir_prefix_canonicalized: filesystem_paths normalized via the A1 work-dir prefix rule",
];

function project(config: CrossRuntimeConfig, base: EvidenceSet & { sdk: SdkMetadata }, head: EvidenceSet & { sdk: SdkMetadata }): CrossRuntimeDiff {
  const cli = "<command line>";
  for (const [flag, runtime] of [["--base-runtime", config.baseRuntime], ["--head-runtime", config.headRuntime]] as const) {
    if (!(KNOWN_RUNTIMES as readonly string[]).includes(runtime)) {
      problem("RUNTIME_UNKNOWN", cli, flag, `one of ${KNOWN_RUNTIMES.join(", ")}`, runtime, `${flag}: unknown runtime "${runtime}"; expected one of ${KNOWN_RUNTIMES.join(", ")}`);
    }
  }
  if (config.baseRuntime === config.headRuntime) {
    problem("RUNTIMES_NOT_DISTINCT", cli, "--head-runtime", "a runtime different from --base-runtime", config.headRuntime, "--base-runtime and --head-runtime must differ for a cross-runtime diff");
  }
  for (const [flag, prefix] of [["--base-work-dir", config.baseWorkDirPrefix], ["--head-work-dir", config.headWorkDirPrefix]] as const) {
    const checked = checkWorkDirPrefix(prefix, flag);
    if (!checked.ok) throw new Problem(checked.issues[0]);
  }
  const b = checkSide(base, "base", { checkPolicyDecisionType: false });
  const h = checkSide(head, "head", { checkPolicyDecisionType: false });
  const surface = perCategory((category) => {
    const before = category === "filesystem_paths" ? b.surface[category].map((p) => canonicalizeWorkPath(p, config.baseWorkDirPrefix)) : b.surface[category];
    const after = category === "filesystem_paths" ? h.surface[category].map((p) => canonicalizeWorkPath(p, config.headWorkDirPrefix)) : h.surface[category];
    return diffCategory(before, after);
  });
  const preconditions = diffPreconditions(b, h);
  return {
    schema: CROSS_RUNTIME_DIFF_SCHEMA,
    base_run_id: b.runId,
    head_run_id: h.runId,
    base_runtime: config.baseRuntime,
    head_runtime: config.headRuntime,
    status: diffStatus(b.healthClean && h.healthClean, b.correlationClean && h.correlationClean, preconditions.stable_tool_call_ids_present, preconditions.stable_tool_call_ids_required),
    preconditions: { ...preconditions, runtimes_distinct: true },
    scope: { ...EXPECTED_SCOPE },
    canonicalization: { filesystem_paths: A1_RULE, network_endpoints: "none", process_execs: "none", mcp_tools: "none", policy_decisions: "none" },
    surface,
    binding_ids: { comparison: OUT_OF_SCOPE },
    policy_outcomes: { comparison: OUT_OF_SCOPE },
    sdk_metadata: { comparison: SIDE_BAND, base: { ...base.sdk }, head: { ...head.sdk } },
    unbound: emptyUnbound(),
    non_claims: [...NON_CLAIMS],
    ambiguities: [],
    notes: [...NOTES],
  };
}

function validateStructure(diff: unknown, file: string, clean: boolean): void {
  const bad: Bad = (path, expected, received, message) => problem("CROSS_RUNTIME_DIFF_STRUCTURE", file, path, expected, received, message);
  if (!isObject(diff)) bad("", "a JSON object", diff, "diff must be a JSON object");
  const d = diff as Record<string, unknown>;
  // In this order: the first problem found is the one reported.
  checkTopLevel(d, bad);
  checkPreconditions(d.preconditions, bad);
  checkScopeAndCanonicalization(d, bad);
  checkSurface(d.surface, bad);
  const sdkStrings = checkSideBlocks(d, bad);
  checkFixedLists(d, bad);
  checkNoSdkLeak(d.surface, sdkStrings, bad);
  if (clean) checkClean(d, bad);
}

type Bad = (path: string, expected: string, received: unknown, message: string) => never;

function checkTopLevel(d: Record<string, unknown>, bad: Bad): void {
  if (d.schema !== CROSS_RUNTIME_DIFF_SCHEMA) bad("schema", CROSS_RUNTIME_DIFF_SCHEMA, d.schema, `schema must be ${CROSS_RUNTIME_DIFF_SCHEMA}`);
  const keys = Object.keys(d);
  const missing = TOP_LEVEL_KEYS.filter((k) => !keys.includes(k));
  if (missing.length > 0) bad(missing[0] ?? "", "present", undefined, `diff is missing required top-level fields: ${missing.join(", ")}`);
  const extra = keys.filter((k) => !TOP_LEVEL_KEYS.includes(k));
  if (extra.length > 0) bad(extra[0] ?? "", "absent", d[extra[0] ?? ""], `diff has unknown top-level fields: ${extra.join(", ")}`);
  for (const key of ["base_runtime", "head_runtime"]) {
    if (!(KNOWN_RUNTIMES as readonly unknown[]).includes(d[key])) bad(key, KNOWN_RUNTIMES.join(" | "), d[key], `${key} not in v0 table`);
  }
  if (d.base_runtime === d.head_runtime) bad("head_runtime", "a runtime different from base_runtime", d.head_runtime, "base_runtime must differ from head_runtime");
  if (!STATUSES.includes(d.status as string)) bad("status", STATUSES.join(" | "), d.status, `status must be one of ${STATUSES.join(", ")}`);
}

function checkPreconditions(pre: unknown, bad: Bad): void {
  if (!isObject(pre)) bad("preconditions", "an object", pre, "preconditions must be an object");
  const preKeys = Object.keys(pre as object);
  for (const key of PRECONDITION_KEYS) if (!preKeys.includes(key)) bad(`preconditions.${key}`, "present", undefined, `preconditions missing required key ${key}`);
  for (const key of preKeys) if (!(PRECONDITION_KEYS as readonly string[]).includes(key)) bad(`preconditions.${key}`, "absent", (pre as Record<string, unknown>)[key], `preconditions has unknown key ${key}`);
  for (const key of PRECONDITION_KEYS) {
    const value = (pre as Record<string, unknown>)[key];
    if (typeof value !== "boolean") bad(`preconditions.${key}`, "a boolean", value, `preconditions.${key} must be boolean`);
  }
}

function checkScopeAndCanonicalization(d: Record<string, unknown>, bad: Bad): void {
  const scope = d.scope;
  if (!isObject(scope) || !sameFlatObject(scope, EXPECTED_SCOPE)) bad("scope", JSON.stringify(EXPECTED_SCOPE), JSON.stringify(scope), "scope must equal the v0 expected scope");
  const canon = d.canonicalization;
  if (!isObject(canon)) bad("canonicalization", "an object", canon, "canonicalization must be an object");
  for (const category of SURFACE_CATEGORIES) {
    const want = category === "filesystem_paths" ? A1_RULE : "none";
    if ((canon as Record<string, unknown>)[category] !== want) bad(`canonicalization.${category}`, want, (canon as Record<string, unknown>)[category], `canonicalization.${category} must be ${want}`);
  }
}

function checkSurface(surface: unknown, bad: Bad): void {
  if (!isObject(surface)) bad("surface", "an object", surface, "surface must be an object");
  for (const category of SURFACE_CATEGORIES) {
    const section = (surface as Record<string, unknown>)[category];
    if (!isObject(section)) bad(`surface.${category}`, "an object", section, `surface.${category} must be an object`);
    for (const key of ["added", "removed", "unchanged"]) {
      const path = `surface.${category}.${key}`;
      const values = (section as Record<string, unknown>)[key];
      if (!Array.isArray(values)) bad(path, "an array", values, `${path} must be an array`);
      (values as unknown[]).forEach((item, index) => {
        if (typeof item !== "string") bad(`${path}.${index}`, "a string", item, `${path}[${index}] must be a string`);
      });
      const strings = values as string[];
      if (strings.some((item, index) => index > 0 && compareCodePoints(strings[index - 1] ?? "", item) > 0)) bad(path, "code-point order", "unsorted", `${path} must serialize in stable lexicographic order`);
      if (new Set(strings).size !== strings.length) bad(path, "distinct values", "duplicates", `${path} must not contain duplicates`);
    }
  }
}

// binding_ids, policy_outcomes and sdk_metadata; returns the SDK metadata strings (for the leak check).
function checkSideBlocks(d: Record<string, unknown>, bad: Bad): Set<string> {
  for (const key of ["binding_ids", "policy_outcomes"]) {
    const block = d[key];
    if (!isObject(block) || Object.keys(block).length !== 1 || block.comparison !== OUT_OF_SCOPE) {
      bad(key, `{"comparison": "${OUT_OF_SCOPE}"}`, JSON.stringify(block), `${key} must contain only comparison = ${OUT_OF_SCOPE} in v0 cross-runtime (B3)`);
    }
  }
  const sdk = d.sdk_metadata;
  if (!isObject(sdk) || Object.keys(sdk).sort().join(",") !== "base,comparison,head" || sdk.comparison !== SIDE_BAND) {
    bad("sdk_metadata", `comparison = ${SIDE_BAND}, base, head`, JSON.stringify(sdk), "sdk_metadata must contain only comparison, base and head");
  }
  const sdkStrings = new Set<string>();
  for (const side of ["base", "head"]) {
    const meta = (sdk as Record<string, unknown>)[side];
    if (!isObject(meta) || Object.keys(meta).sort().join(",") !== "sdk_name,sdk_version") bad(`sdk_metadata.${side}`, "exactly sdk_name and sdk_version", JSON.stringify(meta), `sdk_metadata.${side} must have exactly sdk_name and sdk_version`);
    for (const field of ["sdk_name", "sdk_version"]) {
      const value = (meta as Record<string, unknown>)[field];
      if (typeof value !== "string" || value.length === 0) bad(`sdk_metadata.${side}.${field}`, "a non-empty string", value, `sdk_metadata.${side}.${field} must be a non-empty string`);
      sdkStrings.add(value as string);
    }
  }
  return sdkStrings;
}

function checkFixedLists(d: Record<string, unknown>, bad: Bad): void {
  const unbound = d.unbound;
  for (const category of SURFACE_CATEGORIES) {
    const value = isObject(unbound) ? unbound[category] : undefined;
    if (!Array.isArray(value) || value.length > 0) bad(`unbound.${category}`, "[]", value, `unbound.${category} must be empty in v0`);
  }
  if (!sameStrings(d.non_claims, NON_CLAIMS)) bad("non_claims", NON_CLAIMS.join(", "), JSON.stringify(d.non_claims), "non_claims must equal the five v0 codes in order");
  if (!sameStrings(d.notes, NOTES)) bad("notes", "the three v0 notes", JSON.stringify(d.notes), "notes must equal the three v0 note strings in order");
  if (!Array.isArray(d.ambiguities) || d.ambiguities.length > 0) bad("ambiguities", "[]", d.ambiguities, "ambiguities must be empty in v0");
}

function checkNoSdkLeak(surface: unknown, sdkStrings: ReadonlySet<string>, bad: Bad): void {
  for (const category of SURFACE_CATEGORIES) {
    for (const key of ["added", "removed", "unchanged"]) {
      const leaked = ((surface as Record<string, Record<string, string[]>>)[category]?.[key] ?? []).filter((v) => sdkStrings.has(v));
      if (leaked.length > 0) bad(`surface.${category}.${key}`, "no SDK metadata values", leaked.join(", "), `sdk_metadata leaked into surface.${category}.${key}: ${leaked.join(", ")}`);
    }
  }
}

function checkClean(d: Record<string, unknown>, bad: Bad): void {
  const pre = d.preconditions;
  if (d.status !== "clean") bad("status", "clean", d.status, `clean diff required, got status ${String(d.status)}`);
  for (const key of PRECONDITION_KEYS) {
    if ((pre as Record<string, unknown>)[key] !== true) bad(`preconditions.${key}`, "true", (pre as Record<string, unknown>)[key], `clean diff requires preconditions.${key} = true`);
  }
}

function sameFlatObject(actual: Record<string, unknown>, expected: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(expected);
  return Object.keys(actual).length === keys.length && keys.every((k) => actual[k] === expected[k]);
}

function sameStrings(actual: unknown, expected: readonly string[]): boolean {
  return Array.isArray(actual) && actual.length === expected.length && actual.every((v, i) => v === expected[i]);
}
