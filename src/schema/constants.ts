/** Schema string of `manifest.json`. */
export const ARCHIVE_MANIFEST_SCHEMA = "assay.runner.archive_manifest.v0";
/** Schema string of each `events.ndjson` row. */
export const EVENT_SCHEMA = "assay.runner.event.v0";
/** Schema string of each `layers/kernel.ndjson` row. */
export const KERNEL_EVENT_SCHEMA = "assay.runner.kernel_event.v0";
/** Schema string of each `layers/sdk.ndjson` row. */
export const SDK_EVENT_SCHEMA = "assay.runner.sdk_event.v0";
/** Schema string of each `layers/policy.ndjson` row. */
export const POLICY_EVENT_SCHEMA = "assay.runner.policy_event.v0";
/** Schema string of `capability-surface.json`. */
export const CAPABILITY_SURFACE_SCHEMA = "assay.runner.capability_surface.v0";
/** Schema string of `correlation-report.json`. */
export const CORRELATION_REPORT_SCHEMA = "assay.runner.correlation_report.v0";
/** Schema string of `observation-health.json`. */
export const OBSERVATION_HEALTH_SCHEMA = "assay.runner.observation_health.v0";

/**
 * The eight archive members in archive order: `manifest.json` first, then the other seven in
 * UTF-8 byte order of their paths (spec §1.1 — not "alphabetical over all eight").
 */
export const MEMBER_NAMES = [
  "manifest.json",
  "capability-surface.json",
  "correlation-report.json",
  "events.ndjson",
  "layers/kernel.ndjson",
  "layers/policy.ndjson",
  "layers/sdk.ndjson",
  "observation-health.json",
] as const;

/** One of the eight archive member names. */
export type MemberName = (typeof MEMBER_NAMES)[number];

/** The seven members the manifest lists (every member but `manifest.json` itself, spec §1.5). */
export const MANIFESTED_MEMBER_NAMES = MEMBER_NAMES.slice(1) as readonly Exclude<MemberName, "manifest.json">[];

/** The schema string every row or document of each member carries. */
export const MEMBER_SCHEMAS: Readonly<Record<MemberName, string>> = {
  "manifest.json": ARCHIVE_MANIFEST_SCHEMA,
  "capability-surface.json": CAPABILITY_SURFACE_SCHEMA,
  "correlation-report.json": CORRELATION_REPORT_SCHEMA,
  "events.ndjson": EVENT_SCHEMA,
  "layers/kernel.ndjson": KERNEL_EVENT_SCHEMA,
  "layers/policy.ndjson": POLICY_EVENT_SCHEMA,
  "layers/sdk.ndjson": SDK_EVENT_SCHEMA,
  "observation-health.json": OBSERVATION_HEALTH_SCHEMA,
};

/** Whether a member is NDJSON (one document per line) rather than one JSON document. */
export function isNdjsonMember(name: MemberName): boolean {
  return name.endsWith(".ndjson");
}
