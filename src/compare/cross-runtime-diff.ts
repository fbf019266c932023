import * as v from "valibot";
import { fail, ok, type Result } from "../schema/index.ts";
import { parseInput } from "./_input.ts";
import { compareCodePoints } from "./_order.ts";
import { describe, isObject, Problem, problem } from "./_problem.ts";
import { CROSS_RUNTIME_DIFF_SCHEMA, SDK_EVENT_SCHEMA } from "./_schemas.ts";
import { diffStatus } from "./capability-diff.ts";
import {
  A1_RULE,
  KNOWN_RUNTIMES,
  KnownRuntimeSchema,
  NON_CLAIMS,
  NOTES,
  OUT_OF_SCOPE,
  SdkMetadataSchema,
  SIDE_BAND,
  type CrossRuntimeDiff,
  type KnownRuntime,
  type SdkMetadata,
} from "./cross-runtime-diff-schema.ts";
import { checkSide, diffCategory, diffPreconditions, emptyUnbound, perCategory, type EvidenceSet } from "./evidence-set.ts";

/** Declared configuration of a cross-runtime diff: both runtimes and both work-dir prefixes. */
export interface CrossRuntimeConfig {
  readonly baseRuntime: string;
  readonly headRuntime: string;
  readonly baseWorkDirPrefix: string;
  readonly headWorkDirPrefix: string;
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
    if (event.sdk_name === undefined || event.sdk_name === null || event.sdk_version === undefined || event.sdk_version === null) continue;
    const pair = parseInput(SdkMetadataSchema, event, file, "SDK_LINE_INVALID");
    if (!pair.ok) return fail({ ...pair.issues[0], line: index + 1 });
    pairs.set(JSON.stringify([pair.value.sdk_name, pair.value.sdk_version]), pair.value);
  }
  const found = [...pairs.values()];
  const first = found[0];
  if (first === undefined) {
    return fail({
      code: "SDK_METADATA_MISSING",
      file,
      path: "sdk_name",
      expected: "one sdk_name/sdk_version pair",
      received: "none",
      message: "no SDK event carries sdk_name and sdk_version",
    });
  }
  if (found.length > 1) {
    const listed = found
      .map((p) => `${p.sdk_name}@${p.sdk_version}`)
      .sort(compareCodePoints)
      .join(", ");
    return fail({
      code: "SDK_METADATA_INCONSISTENT",
      file,
      path: "sdk_name",
      expected: "one sdk_name/sdk_version pair",
      received: listed,
      message: `inconsistent SDK metadata: ${listed}`,
    });
  }
  return ok(first);
}

// --- internal ---

function project(config: CrossRuntimeConfig, base: EvidenceSet & { sdk: SdkMetadata }, head: EvidenceSet & { sdk: SdkMetadata }): CrossRuntimeDiff {
  const baseRuntime = knownRuntime(config.baseRuntime, "--base-runtime");
  const headRuntime = knownRuntime(config.headRuntime, "--head-runtime");
  if (baseRuntime === headRuntime) {
    problem(
      "RUNTIMES_NOT_DISTINCT",
      CLI,
      "--head-runtime",
      "a runtime different from --base-runtime",
      headRuntime,
      "--base-runtime and --head-runtime must differ for a cross-runtime diff",
    );
  }
  for (const [flag, prefix] of [
    ["--base-work-dir", config.baseWorkDirPrefix],
    ["--head-work-dir", config.headWorkDirPrefix],
  ] as const) {
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
    base_runtime: baseRuntime,
    head_runtime: headRuntime,
    status: diffStatus(
      b.healthClean && h.healthClean,
      b.correlationClean && h.correlationClean,
      preconditions.stable_tool_call_ids_present,
      preconditions.stable_tool_call_ids_required,
    ),
    preconditions: { ...preconditions, runtimes_distinct: true },
    scope: { projection: "surface_set", uses_raw_telemetry: false, uses_proof_pack: false, per_binding_capability_values: false, cross_runtime: true },
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

const CLI = "<command line>";

// The two runtimes are checked before anything else, each against the v0 table.
function knownRuntime(runtime: string, flag: string): KnownRuntime {
  if (v.is(KnownRuntimeSchema, runtime)) return runtime;
  const expected = `one of ${KNOWN_RUNTIMES.join(", ")}`;
  return problem("RUNTIME_UNKNOWN", CLI, flag, expected, runtime, `${flag}: unknown runtime "${runtime}"; expected ${expected}`);
}
