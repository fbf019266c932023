import * as v from "valibot";
import type { Result } from "../schema/index.ts";
import { parseInput } from "./_input.ts";
import { isObject, Problem } from "./_problem.ts";
import { CAPABILITY_SURFACE_SCHEMA, CORRELATION_REPORT_SCHEMA, OBSERVATION_HEALTH_SCHEMA } from "./_schemas.ts";
import type { EvidenceSet } from "./evidence-set.ts";

// Private: the three documents of one diff side, read as both diffs need them (spec §2 steps 1–6).
// Upstream documents of any generation: fields the diffs do not read are kept, not checked.

/** The documents of one side, parsed. */
export interface SideDocuments {
  readonly health: v.InferOutput<typeof HealthSchema>;
  readonly surface: v.InferOutput<typeof SurfaceSchema>;
  readonly correlation: v.InferOutput<typeof CorrelationSchema>;
}

/** Parses a side's health, surface and correlation documents (in that order), throwing a Problem at the first fault. */
export function readSideDocuments(side: EvidenceSet, checkPolicyDecisionType: boolean): SideDocuments {
  return {
    health: orThrow(parseInput(HealthSchema, side.health, side.files.health, codeOf)),
    surface: orThrow(parseInput(SurfaceSchema, side.surface, side.files.surface, codeOf)),
    correlation: orThrow(parseInput(checkPolicyDecisionType ? CorrelationSchema : LenientCorrelationSchema, side.correlation, side.files.correlation, codeOf)),
  };
}

// --- internal ---

const NonEmptyString = v.pipe(v.string("must be a non-empty string"), v.minLength(1, "must be a non-empty string"));

// A JSON object (not an array, as Python's `isinstance(x, dict)`) with at least these fields.
function jsonObject<const TEntries extends v.ObjectEntries>(entries: TEntries, message: string) {
  return v.pipe(v.custom<Record<string, unknown>>(isObject, message), v.looseObject(entries));
}

function header<const TSchema extends string>(schema: TSchema) {
  return { schema: v.literal(schema, `must be ${schema}`), run_id: NonEmptyString };
}

// One category of the surface is checked whole, so its issue names the category.
const Category = v.custom<string[]>((value) => Array.isArray(value) && value.every((item) => typeof item === "string"), "must be an array of strings");

const HealthSchema = jsonObject(header(OBSERVATION_HEALTH_SCHEMA), "expected a JSON object");

const SurfaceSchema = jsonObject(
  {
    ...header(CAPABILITY_SURFACE_SCHEMA),
    filesystem_paths: Category,
    network_endpoints: Category,
    process_execs: Category,
    mcp_tools: Category,
    policy_decisions: Category,
  },
  "expected a JSON object",
);

const ToolCallId = v.pipe(
  v.string("must be a non-empty string: a binding needs a stable tool_call_id"),
  v.minLength(1, "must be a non-empty string: a binding needs a stable tool_call_id"),
);

// The capability diff checks a policy decision's type; the cross-runtime diff reads any value (a
// non-string counts as none).
const CorrelationSchema = correlationSchema(v.nullish(v.string("must be a string or null"), null));
const LenientCorrelationSchema = correlationSchema(v.fallback(v.nullable(v.string()), null));

function correlationSchema<const TDecision extends v.GenericSchema<unknown, string | null>>(decision: TDecision) {
  const binding = jsonObject({ tool_call_id: ToolCallId, policy_decision: decision }, "must be an object");
  return jsonObject({ ...header(CORRELATION_REPORT_SCHEMA), bindings: v.array(binding, "must be an array") }, "expected a JSON object");
}

// Issue codes by field, as the hand-written checks named them.
const CODES: Readonly<Record<string, string>> = {
  "": "NOT_AN_OBJECT",
  schema: "SCHEMA_MISMATCH",
  run_id: "RUN_ID_REQUIRED",
  bindings: "BINDINGS_NOT_ARRAY",
  "bindings.*": "BINDING_NOT_OBJECT",
  "bindings.*.tool_call_id": "BINDING_LACKS_TOOL_CALL_ID",
  "bindings.*.policy_decision": "POLICY_DECISION_TYPE",
};

function codeOf(field: string): string {
  return CODES[field] ?? "SURFACE_CATEGORY_INVALID";
}

function orThrow<T>(result: Result<T>): T {
  if (!result.ok) throw new Problem(result.issues[0]);
  return result.value;
}
