import * as v from "valibot";
import { ArchiveManifestSchema, type ArchiveManifest } from "./archive-manifest.ts";
import { CapabilitySurfaceSchema, type CapabilitySurface } from "./capability-surface.ts";
import {
  ARCHIVE_MANIFEST_SCHEMA,
  CAPABILITY_SURFACE_SCHEMA,
  CORRELATION_REPORT_SCHEMA,
  EVENT_SCHEMA,
  KERNEL_EVENT_SCHEMA,
  MEMBER_SCHEMAS,
  OBSERVATION_HEALTH_SCHEMA,
  POLICY_EVENT_SCHEMA,
  SDK_EVENT_SCHEMA,
  type MemberName,
} from "./constants.ts";
import { CorrelationReportSchema, type CorrelationReport } from "./correlation-report.ts";
import { fail, ok, type Result } from "./issue.ts";
import { KernelEventSchema, type KernelEvent } from "./kernel-event.ts";
import { ObservationHealthSchema, type ObservationHealth } from "./observation-health.ts";
import { PolicyEventSchema, type PolicyEvent } from "./policy-event.ts";
import { RunEventSchema, type RunEvent } from "./run-event.ts";
import { SdkEventSchema, type SdkEvent } from "./sdk-event.ts";
import { makeIssue, toIssues, type Where } from "./_to-issues.ts";

export type { Where } from "./_to-issues.ts";

/** Any archive document or row, told apart by its `schema` string. */
export type Document = ArchiveManifest | RunEvent | KernelEvent | SdkEvent | PolicyEvent | CapabilitySurface | CorrelationReport | ObservationHealth;

/** The schema string of each document kind, mapped to its valibot schema. */
export const DOCUMENT_SCHEMAS = {
  [ARCHIVE_MANIFEST_SCHEMA]: ArchiveManifestSchema,
  [EVENT_SCHEMA]: RunEventSchema,
  [KERNEL_EVENT_SCHEMA]: KernelEventSchema,
  [SDK_EVENT_SCHEMA]: SdkEventSchema,
  [POLICY_EVENT_SCHEMA]: PolicyEventSchema,
  [CAPABILITY_SURFACE_SCHEMA]: CapabilitySurfaceSchema,
  [CORRELATION_REPORT_SCHEMA]: CorrelationReportSchema,
  [OBSERVATION_HEALTH_SCHEMA]: ObservationHealthSchema,
} as const;

/** A schema string this tool validates. */
export type DocumentSchemaName = keyof typeof DOCUMENT_SCHEMAS;

/** Whether a string is one of the eight archive schema strings. */
export function isDocumentSchemaName(s: string): s is DocumentSchemaName {
  return Object.hasOwn(DOCUMENT_SCHEMAS, s);
}

/**
 * Validates one parsed JSON value (a whole document or one NDJSON row) against the schema its
 * `schema` field names; issues say where (file, member, line), which field, and what was expected.
 */
export function validateDocument(value: unknown, where: Where): Result<Document> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(
      makeIssue(where, "DOCUMENT_NOT_OBJECT", "", "a JSON object", kindOf(value), `expected a JSON object with a "schema" string, received ${kindOf(value)}`),
    );
  }
  const schema = (value as { schema?: unknown }).schema;
  if (typeof schema !== "string") {
    return fail(
      makeIssue(
        where,
        "SCHEMA_MISSING",
        "schema",
        "one of the assay.runner.* schema strings",
        kindOf(schema),
        `document has no "schema" string (received ${kindOf(schema)}); expected one of ${Object.keys(DOCUMENT_SCHEMAS).join(", ")}`,
      ),
    );
  }
  if (!isDocumentSchemaName(schema)) {
    return fail(
      makeIssue(
        where,
        "SCHEMA_UNKNOWN",
        "schema",
        Object.keys(DOCUMENT_SCHEMAS).join(" | "),
        JSON.stringify(schema),
        `unknown schema ${JSON.stringify(schema)}; this tool reads ${Object.keys(DOCUMENT_SCHEMAS).join(", ")}`,
      ),
    );
  }
  return validateAs(schema, value, where);
}

/** Validates a value against one named schema, whatever its own `schema` field says. */
export function validateAs<S extends DocumentSchemaName>(schema: S, value: unknown, where: Where): Result<v.InferOutput<(typeof DOCUMENT_SCHEMAS)[S]>> {
  const parsed = v.safeParse(DOCUMENT_SCHEMAS[schema] as v.GenericSchema<unknown, v.InferOutput<(typeof DOCUMENT_SCHEMAS)[S]>>, value);
  if (parsed.success) return ok(parsed.output);
  const [first, ...rest] = toIssues(parsed.issues, labelOf(schema), where);
  return fail(first as NonNullable<typeof first>, ...rest);
}

/**
 * Validates a document (or NDJSON row) found in an archive member: its `schema` must be the one
 * that member holds, then it must satisfy that schema.
 */
export function validateMember(member: MemberName, value: unknown, where: Where): Result<Document> {
  const wanted = MEMBER_SCHEMAS[member] as DocumentSchemaName;
  const schema = value !== null && typeof value === "object" ? (value as { schema?: unknown }).schema : undefined;
  if (schema !== wanted && typeof schema === "string") {
    return fail(
      makeIssue(
        where,
        "SCHEMA_MISMATCH",
        "schema",
        JSON.stringify(wanted),
        JSON.stringify(schema),
        `member ${member} must hold ${wanted} documents, received ${JSON.stringify(schema)}`,
      ),
    );
  }
  return validateAs(wanted, value, where);
}

// --- internal ---

function labelOf(schema: DocumentSchemaName): string {
  const short = schema.replace(/^assay\.runner\./, "");
  const isRow = schema === EVENT_SCHEMA || schema === KERNEL_EVENT_SCHEMA || schema === SDK_EVENT_SCHEMA || schema === POLICY_EVENT_SCHEMA;
  return isRow ? `${short} row` : short;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value === undefined) return "nothing";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}
