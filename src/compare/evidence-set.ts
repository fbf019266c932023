import { deriveEndpointNames, SURFACE_FIELDS, type EndpointNames, type SurfaceField } from "../schema/index.ts";
import { diffSets } from "./_order.ts";
import { isObject, problem } from "./_problem.ts";
import { CORRELATION_REPORT_SCHEMA, OBSERVATION_HEALTH_SCHEMA } from "./_schemas.ts";
import { readSideDocuments } from "./_side-documents.ts";

/** The five capability-surface categories, in upstream output order (spec §2 step 6): the schema's surface fields. */
export const SURFACE_CATEGORIES: typeof SURFACE_FIELDS = SURFACE_FIELDS;

/** One capability-surface category name. */
export type SurfaceCategory = SurfaceField;

/** One side of a diff: the three parsed documents and the file names errors should point at. */
export interface EvidenceSet {
  readonly health: unknown;
  readonly surface: unknown;
  readonly correlation: unknown;
  readonly files: { readonly health: string; readonly surface: string; readonly correlation: string };
  /** Names of the surface's endpoints (from the kernel layer's DNS rows), when the side is an archive that has them. */
  readonly names?: EndpointNames;
}

/**
 * Names the endpoints from the DNS answer rows of a kernel layer's bytes (only lines with a DNS
 * kind are parsed; lines that are not JSON objects are left to verify, not to a comparison).
 */
export function endpointNamesOfKernel(kernel: Uint8Array | undefined, endpoints: readonly string[]): EndpointNames {
  if (kernel === undefined) return new Map();
  const rows: Record<string, unknown>[] = [];
  for (const line of new TextDecoder().decode(kernel).split("\n")) {
    if (!line.includes('"kind":"dns_answer"')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) rows.push(value);
    } catch {
      // not JSON: verify reports it
    }
  }
  return deriveEndpointNames(
    rows.flatMap((r) =>
      typeof r.value === "string" && typeof r.network_destination === "string"
        ? [
            {
              kind: "dns_answer",
              value: r.value,
              network_destination: r.network_destination,
              ...(Array.isArray(r.dns_cnames) ? { dns_cnames: r.dns_cnames.filter((c): c is string => typeof c === "string") } : {}),
            },
          ]
        : [],
    ),
    endpoints,
  );
}

/** Added/removed/unchanged of one category, each sorted by code point. */
export interface SetDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly unchanged: string[];
}

/** What both diffs learn from one side before comparing (spec §2 steps 1–6). */
export interface CheckedSide {
  readonly runId: string;
  readonly healthClean: boolean;
  readonly correlationClean: boolean;
  /** Why the health is not clean, in plain words (empty when clean). */
  readonly healthProblems: readonly string[];
  /** Why the correlation is not clean, in plain words (empty when clean). */
  readonly correlationProblems: readonly string[];
  /** Whether the run declared an agent layer (a policy log or an SDK log), which makes binding ids required. */
  readonly declaresAgent: boolean;
  readonly bindings: ReadonlyMap<string, string | null>;
  readonly surface: Readonly<Record<SurfaceCategory, readonly string[]>>;
}

/** The preconditions both diffs report (capability diff, cross-runtime diff), in upstream key order. */
export function diffPreconditions(b: CheckedSide, h: CheckedSide) {
  return {
    base_health_clean: b.healthClean,
    head_health_clean: h.healthClean,
    base_correlation_clean: b.correlationClean,
    head_correlation_clean: h.correlationClean,
    // deviation: upstream always requires stable tool_call_ids; two runs without an agent have none
    // to give, so they are required only when a side declared an agent layer (issue 14).
    stable_tool_call_ids_required: b.declaresAgent || h.declaresAgent,
    stable_tool_call_ids_present: b.bindings.size > 0 && h.bindings.size > 0,
  };
}

/** Why a diff of these two sides is partial, one plain sentence per cause; empty when it is clean. */
export function partialReasons(b: CheckedSide, h: CheckedSide): string[] {
  const reasons: string[] = [];
  for (const [label, side] of [
    ["base", b],
    ["head", h],
  ] as const) {
    if (side.healthProblems.length > 0) reasons.push(`${label} observation health is not clean: ${side.healthProblems.join("; ")}`);
  }
  for (const [label, side] of [
    ["base", b],
    ["head", h],
  ] as const) {
    if (side.correlationProblems.length > 0) reasons.push(`${label} correlation is not clean: ${side.correlationProblems.join("; ")}`);
  }
  if (b.declaresAgent || h.declaresAgent) {
    for (const [label, side] of [
      ["base", b],
      ["head", h],
    ] as const) {
      if (side.bindings.size === 0) reasons.push(`${label} has no tool-call bindings, which a run with an agent layer needs for a clean diff`);
    }
  }
  return reasons;
}

/** Checks one side's schemas, run ids, bindings and surface categories, throwing a Problem at the first fault. */
export function checkSide(side: EvidenceSet, label: "base" | "head", options: { readonly checkPolicyDecisionType: boolean }): CheckedSide {
  const { health, surface, correlation } = readSideDocuments(side, options.checkPolicyDecisionType);
  const runId = health.run_id;
  for (const [name, file, document] of [
    ["capability surface", side.files.surface, surface],
    ["correlation report", side.files.correlation, correlation],
  ] as const) {
    if (document.run_id === runId) continue;
    problem(
      "RUN_ID_MISMATCH",
      file,
      "run_id",
      `${label} health run_id "${runId}"`,
      document.run_id,
      `${label} ${name} run_id "${document.run_id}" differs from health run_id "${runId}"`,
    );
  }
  const healthProblems = healthProblemsOf(health);
  const correlationProblems = correlationProblemsOf(correlation);
  return {
    runId,
    healthClean: healthProblems.length === 0,
    correlationClean: correlationProblems.length === 0,
    healthProblems,
    correlationProblems,
    declaresAgent: declaresAgent(health),
    bindings: bindingMap(correlation.bindings, side.files.correlation),
    surface: perCategory((category) => surface[category]),
  };
}

/** A record of the five categories, in upstream order, each value made by `make`. */
export function perCategory<T>(make: (category: SurfaceCategory) => T): Record<SurfaceCategory, T> {
  return {
    filesystem_paths: make("filesystem_paths"),
    network_endpoints: make("network_endpoints"),
    process_execs: make("process_execs"),
    mcp_tools: make("mcp_tools"),
    policy_decisions: make("policy_decisions"),
  };
}

/**
 * Whether a health document is clean for the diffs: complete kernel, zero drops, clean cgroup, and
 * either an agent's policy layer present and SDK layer self-reported, or no agent layer at all.
 */
export function isHealthClean(health: Readonly<Record<string, unknown>>): boolean {
  return healthProblemsOf(health).length === 0;
}

/** Whether a correlation report is clean: status clean and an empty ambiguity list. */
export function isCorrelationClean(correlation: Readonly<Record<string, unknown>>): boolean {
  return correlationProblemsOf(correlation).length === 0;
}

/** Why a health document is not clean for the diffs, one phrase per field; empty when clean. */
export function healthProblemsOf(health: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const expect = (field: string, wanted: unknown, why = ""): void => {
    if (health[field] !== wanted) problems.push(`${field} is ${shown(health[field])}, expected ${shown(wanted)}${why}`);
  };
  expect("schema", OBSERVATION_HEALTH_SCHEMA);
  expect("kernel_layer", "complete");
  // deviation: upstream's `== 0` also accepts `false` and `0.0`; we require the integer 0 (spec §6 item 6).
  expect("ringbuf_drops", 0);
  if (declaresAgent(health)) {
    expect("policy_layer", "present", " (the run declared an agent layer)");
    // `present` is reserved vocabulary and deliberately not clean in v0 (spec §6 item 7).
    expect("sdk_layer", "self_reported", " (the run declared an agent layer)");
  }
  expect("cgroup_correlation", "clean");
  return problems;
}

/** Why a correlation report is not clean, one phrase per field; empty when clean. */
export function correlationProblemsOf(correlation: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (correlation.schema !== CORRELATION_REPORT_SCHEMA) problems.push(`schema is ${shown(correlation.schema)}, expected ${shown(CORRELATION_REPORT_SCHEMA)}`);
  if (correlation.status !== "clean") problems.push(`status is ${shown(correlation.status)}, expected "clean"`);
  const ambiguities = correlation.ambiguities;
  if (!Array.isArray(ambiguities)) problems.push(`ambiguities is ${shown(ambiguities)}, expected a list`);
  else if (ambiguities.length > 0)
    problems.push(`${ambiguities.length} ambiguit${ambiguities.length === 1 ? "y" : "ies"}: ${ambiguities.map(shown).join(", ")}`);
  return problems;
}

// deviation: upstream's health is clean only with policy_layer present and sdk_layer
// self_reported, so no run without an agent could ever diff clean. A run that declared no agent
// layer at all (both absent) has nothing to report there and is judged on kernel and cgroup alone.
function declaresAgent(health: Readonly<Record<string, unknown>>): boolean {
  return health.policy_layer !== "absent" || health.sdk_layer !== "absent";
}

function shown(value: unknown): string {
  return value === undefined ? "missing" : JSON.stringify(value);
}

/** Diffs one category as sets: added = head − base, removed = base − head, unchanged = both. */
export function diffCategory(base: readonly string[], head: readonly string[]): SetDiff {
  const [removed, added, unchanged] = diffSets(base, head);
  return { added, removed, unchanged };
}

/** The `unbound` block: every category empty (always so in v0). */
export function emptyUnbound(): Record<SurfaceCategory, string[]> {
  return perCategory(() => []);
}

// --- internal ---

// Binding ids must be unique within a side; each maps to its policy decision.
function bindingMap(bindings: readonly { readonly tool_call_id: string; readonly policy_decision: string | null }[], file: string): Map<string, string | null> {
  const map = new Map<string, string | null>();
  bindings.forEach((binding, index) => {
    const id = binding.tool_call_id;
    if (map.has(id)) problem("DUPLICATE_TOOL_CALL_ID", file, `bindings.${index}.tool_call_id`, "a unique id", id, `duplicate tool_call_id "${id}"`);
    map.set(id, binding.policy_decision);
  });
  return map;
}
