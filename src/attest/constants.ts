/** `_type` of an in-toto Statement v1 (in-toto/attestation spec/v1/statement.md). */
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";

/** Runtime-trace predicate v0.1 (in-toto/attestation spec/predicates/runtime-trace.md). */
export const RUNTIME_TRACE_V01 = "https://in-toto.io/attestation/runtime-trace/v0.1";

/** Runtime-trace predicate v0.2 as drafted in in-toto/attestation PR #568 (head 4f7166e). */
export const RUNTIME_TRACE_V02 = "https://in-toto.io/attestation/runtime-trace/v0.2";

/** The predicate types we write and read. */
export const RUNTIME_TRACE_TYPES = [RUNTIME_TRACE_V01, RUNTIME_TRACE_V02] as const;

/** A runtime-trace predicate type URI. */
export type RuntimeTraceType = (typeof RUNTIME_TRACE_TYPES)[number];

/** DSSE payloadType of an in-toto statement (spec/v1/envelope.md). */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** Media type of the Sigstore bundles we accept. */
export const SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** `monitor.type` is this URN followed by the tool's version. */
export const MONITOR_TYPE_PREFIX = "urn:assay-runner:monitor:";

/** `monitoredProcess.type` outside GitHub Actions: one assay-runner run. */
export const RUN_PROCESS_TYPE = "urn:assay-runner:run:v0";

/** `monitoredProcess.type` on GitHub Actions: GitHub's SLSA buildType, as the v0.2 draft asks. */
export const GITHUB_WORKFLOW_TYPE = "https://actions.github.io/buildtypes/workflow/v1";

/**
 * The bound a statement never exceeds (bytes of its JSON). GitHub's attestation store and
 * `actions/attest` take less than Rekor does; every list below is budgeted to stay far under it.
 */
export const MAX_STATEMENT_BYTES = 1_000_000;

/** JSON bytes each monitorLog list may take before it keeps counts instead of entries. */
export const LIST_BUDGETS = { process: 96 * 1024, network: 96 * 1024, fileAccess: 480 * 1024 } as const;

/** Health notes copied into the statement: at most this many, each cut to NOTE_MAX_CHARS. */
export const MAX_NOTES = 64;
/** Longest health note copied whole; longer ones are cut and marked. */
export const NOTE_MAX_CHARS = 2048;
