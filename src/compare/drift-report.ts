import { diffSets, sortUnique } from "./_order.ts";
import { DRIFT_REPORT_PROVENANCE_SCHEMA, RUNTIME_DRIFT_SCHEMA } from "./_schemas.ts";
import type { DriftProjectionRules } from "./drift-config.ts";
import type { ArchiveObservation } from "./drift-observation.ts";
import { networkProjectionBlock, notAppliedBlock, pathProjectionBlock } from "./drift-projection.ts";
import { taxonomyBlock } from "./taxonomy.ts";

/** How a drift row is attributed. */
export type DriftClassification = "task-induced" | "provider-induced" | "runtime-induced" | "inconclusive";

/** One of the seven rows of a drift report (key order as emitted). */
export interface DriftRow {
  readonly dimension: string;
  readonly source: string;
  readonly only_in_a: string[];
  readonly only_in_b: string[];
  readonly in_both: string[];
  readonly classification: DriftClassification;
  readonly detail: string;
  readonly projection: Record<string, unknown>;
}

/** Report-level anchors supplied by the caller; empty strings are treated as absent. */
export interface DriftProvenance {
  readonly assayVersion?: string | undefined;
  readonly assayCommit?: string | undefined;
  readonly comparatorCommit?: string | undefined;
  readonly renderedAt?: string | undefined;
  readonly renderKind?: "live_capture" | "re_render" | "synthetic_fixture" | "unspecified" | undefined;
  readonly sourceRunUrl?: string | undefined;
  readonly rawCapturesUnchanged?: boolean | undefined;
  readonly workflowUrl?: string | undefined;
  readonly runnerLabel?: string | undefined;
  readonly kernelOs?: string | undefined;
  readonly kernelRelease?: string | undefined;
  readonly kernelArch?: string | undefined;
  readonly ebpfObjectDigest?: string | undefined;
}

/** Classification inputs: declared fixture paths, provider hosts and projection rules. */
export interface DriftOptions {
  readonly fixturePaths: readonly string[];
  readonly providerHosts: readonly string[];
  readonly rules: DriftProjectionRules;
  readonly provenance: DriftProvenance;
}

/** An `assay.runner.runtime_drift.v0.2` report, keys in upstream order (spec §3.3). */
export interface DriftReport {
  readonly schema: typeof RUNTIME_DRIFT_SCHEMA;
  readonly archive_a: Record<string, unknown>;
  readonly archive_b: Record<string, unknown>;
  readonly taxonomy: Record<string, unknown>;
  readonly provenance: Record<string, unknown>;
  readonly rows: DriftRow[];
  readonly summary: {
    readonly dimensions_checked: number;
    readonly task_induced: number;
    readonly provider_induced: number;
    readonly runtime_induced: number;
    readonly inconclusive: number;
  };
}

/** Ops whose `op:fixture` kernel values count as fixture operations (not `unknown`, as upstream). */
export const FIXTURE_OPERATION_PREFIXES = ["read", "write", "read_write", "create", "truncate", "append", "exclusive"] as const;

/** Builds the runtime drift report of two archives (spec §3.2–3.4). */
export function buildDriftReport(a: ArchiveObservation, b: ArchiveObservation, options: DriftOptions): DriftReport {
  const rows = driftRows(a, b, options);
  const count = (c: DriftClassification): number => rows.filter((r) => r.classification === c).length;
  return {
    schema: RUNTIME_DRIFT_SCHEMA,
    archive_a: archiveSummary(a),
    archive_b: archiveSummary(b),
    taxonomy: taxonomyBlock(),
    provenance: provenanceBlock(a, b, options.provenance),
    rows,
    summary: {
      dimensions_checked: rows.length,
      task_induced: count("task-induced"),
      provider_induced: count("provider-induced"),
      runtime_induced: count("runtime-induced"),
      inconclusive: count("inconclusive"),
    },
  };
}

/** Computes the seven drift rows in their fixed order. */
export function driftRows(a: ArchiveObservation, b: ArchiveObservation, options: DriftOptions): DriftRow[] {
  const fixtures = new Set(options.fixturePaths);
  const operationFixtures = new Set(options.fixturePaths.flatMap((p) => FIXTURE_OPERATION_PREFIXES.map((op) => `${op}:${p}`)));
  const { rules } = options;
  const setRow = (
    dimension: string,
    source: string,
    valuesA: readonly string[],
    valuesB: readonly string[],
    fixtureSet: ReadonlySet<string>,
    projection: Record<string, unknown>,
    isNetwork = false,
  ): DriftRow => {
    const [onlyA, onlyB, both] = diffSets(valuesA, valuesB);
    const [classification, detail] = classifyRow(onlyA, onlyB, valuesA.length > 0, valuesB.length > 0, options.providerHosts, fixtureSet, isNetwork);
    return { dimension, source, only_in_a: onlyA, only_in_b: onlyB, in_both: both, classification, detail, projection };
  };
  const fs = "filesystem_paths_touched";
  const ops = "kernel_file_operations";
  const net = "network_endpoints";
  const rows = [
    setRow(
      fs,
      "capability_surface.filesystem_paths",
      a.surface.filesystem_paths,
      b.surface.filesystem_paths,
      fixtures,
      pathProjectionBlock(fs, a.surface.filesystem_paths, b.surface.filesystem_paths, rules.pathAliases),
    ),
    setRow(
      ops,
      "layers/kernel.ndjson (openat access_mode + operation_flags)",
      a.kernelFileOperations,
      b.kernelFileOperations,
      operationFixtures,
      pathProjectionBlock(ops, a.kernelFileOperations, b.kernelFileOperations, rules.pathAliases),
    ),
    withClaimScope(
      setRow(
        net,
        "capability_surface.network_endpoints",
        a.surface.network_endpoints,
        b.surface.network_endpoints,
        fixtures,
        networkProjectionBlock(net, a.surface.network_endpoints, b.surface.network_endpoints, rules.network, a.endpointNames, b.endpointNames),
        true,
      ),
      a,
      b,
    ),
    setRow("process_execs", "capability_surface.process_execs", a.surface.process_execs, b.surface.process_execs, fixtures, notAppliedBlock()),
    setRow("sdk_tool_events", "layers/sdk.ndjson (tool field, deduplicated)", a.sdkTools, b.sdkTools, fixtures, notAppliedBlock()),
    setRow("mcp_tool_surface", "capability_surface.mcp_tools", a.surface.mcp_tools, b.surface.mcp_tools, fixtures, notAppliedBlock()),
    toolOrderRow(a, b),
  ];
  return rows;
}

/** Whether an endpoint's host (before the last `:`) equals a provider host or is a subdomain of one. */
export function matchesProviderHost(item: string, providerHosts: readonly string[]): boolean {
  const colon = item.lastIndexOf(":");
  const host = colon < 0 ? item : item.slice(0, colon);
  return providerHosts.some((provider) => host === provider || host.endsWith(`.${provider}`));
}

// --- internal ---

function classifyRow(
  onlyA: readonly string[],
  onlyB: readonly string[],
  hasA: boolean,
  hasB: boolean,
  providerHosts: readonly string[],
  fixtures: ReadonlySet<string>,
  isNetwork: boolean,
): [DriftClassification, string] {
  if (!hasA && !hasB) return ["inconclusive", "dimension empty in both arms"];
  if (hasA !== hasB) return ["inconclusive", `dimension absent in ${hasA ? "arm-b" : "arm-a"}; cannot tell if not emitted or not measured`];
  const nonShared = [...onlyA, ...onlyB];
  if (nonShared.length === 0) return ["task-induced", "full overlap"];
  const total = nonShared.length;
  const providers = isNetwork ? nonShared.filter((x) => matchesProviderHost(x, providerHosts)).length : 0;
  const fixtureCount = nonShared.filter((x) => fixtures.has(x)).length;
  if (isNetwork && providers === total) return ["provider-induced", `all ${total} non-shared item(s) match provider host whitelist`];
  if (fixtureCount === total) return ["task-induced", `all ${total} non-shared item(s) match known fixture paths`];
  const detail = isNetwork
    ? `${total} non-shared item(s); ${providers} provider, ${fixtureCount} fixture, ${total - providers - fixtureCount} unclassified`
    : `${total} non-shared item(s); ${fixtureCount} fixture, ${total - fixtureCount} unclassified`;
  return ["runtime-induced", detail];
}

function withClaimScope(row: DriftRow, a: ArchiveObservation, b: ArchiveObservation): DriftRow {
  const scopeA = a.observationHealth?.network_endpoint_claim_scope;
  const scopeB = b.observationHealth?.network_endpoint_claim_scope;
  const bothObserved = row.only_in_a.length + row.in_both.length > 0 && row.only_in_b.length + row.in_both.length > 0;
  const churn = row.only_in_a.length > 0 || row.only_in_b.length > 0;
  if (!(bothObserved && churn && (scopeA === "diagnostic_only" || scopeB === "diagnostic_only"))) return row;
  const shown = (scope: unknown): string => (typeof scope === "string" && scope.length > 0 ? scope : "unspecified");
  // A diagnostic-only endpoint set is not a peer set: churn there is not a regression (beats provider-induced too).
  return {
    ...row,
    classification: "inconclusive",
    detail: `network_endpoints claim scope is diagnostic-only (arm-a=${shown(scopeA)}, arm-b=${shown(scopeB)}); raw endpoint churn is not classified as a hard regression. Raw comparison detail: ${row.detail}`,
  };
}

function toolOrderRow(a: ArchiveObservation, b: ArchiveObservation): DriftRow {
  // The tool is everything after the first ":" of "call_id:tool" (a call id with ":" corrupts it, as upstream).
  const toolsOf = (order: readonly string[]): string[] => order.map((entry) => entry.slice(entry.indexOf(":") + 1));
  const seqA = toolsOf(a.sdkToolOrder);
  const seqB = toolsOf(b.sdkToolOrder);
  const row = (onlyA: string[], onlyB: string[], inBoth: string[], classification: DriftClassification, detail: string): DriftRow => ({
    dimension: "tool_invocation_order",
    source: "layers/sdk.ndjson (event_type=tool_call_started, ordered by seq)",
    only_in_a: onlyA,
    only_in_b: onlyB,
    in_both: inBoth,
    classification,
    detail,
    projection: notAppliedBlock(),
  });
  if (seqA.length === 0 && seqB.length === 0) return row([], [], [], "inconclusive", "no tool_call_started events in either arm");
  if ((seqA.length === 0) !== (seqB.length === 0)) return row(seqA, seqB, [], "inconclusive", "invocation order absent in one arm");
  if (seqA.length === seqB.length && seqA.every((t, i) => t === seqB[i])) return row([], [], seqA, "task-induced", `identical sequence: ${seqA.join(" -> ")}`);
  return row(seqA, seqB, [], "runtime-induced", `a: ${seqA.join(" -> ")} | b: ${seqB.join(" -> ")}`);
}

function archiveSummary(archive: ArchiveObservation): Record<string, unknown> {
  return {
    path: archive.path,
    run_id: archive.runId,
    runtime_label: archive.runtimeLabel,
    manifest_digest: archive.manifestDigest,
    sdk_event_count: archive.sdkEventCount,
  };
}

function provenanceBlock(a: ArchiveObservation, b: ArchiveObservation, p: DriftProvenance): Record<string, unknown> {
  const versions = (pick: (o: ArchiveObservation) => string | null): string[] => sortUnique([pick(a), pick(b)].filter((x): x is string => x !== null));
  return {
    schema: DRIFT_REPORT_PROVENANCE_SCHEMA,
    assay_version: orNull(p.assayVersion),
    assay_commit: orNull(p.assayCommit),
    render_metadata: {
      kind: p.renderKind ?? "unspecified",
      rendered_at: orNull(p.renderedAt),
      comparator_commit: orNull(p.comparatorCommit),
      source_run_url: orNull(p.sourceRunUrl),
      raw_captures_unchanged: p.rawCapturesUnchanged ?? null,
    },
    runner_schema_versions: {
      archive_manifest: versions((o) => o.schemas.archive_manifest),
      capability_surface: versions((o) => o.schemas.capability_surface),
      observation_health: versions((o) => o.schemas.observation_health),
      correlation_report: versions((o) => o.schemas.correlation_report),
      sdk_event: versions((o) => o.schemas.sdk_event),
      kernel_event: versions((o) => o.schemas.kernel_event),
    },
    kernel: { os: orNull(p.kernelOs), release: orNull(p.kernelRelease), arch: orNull(p.kernelArch) },
    ebpf_object_digest: orNull(p.ebpfObjectDigest),
    workflow: { url: orNull(p.workflowUrl), runner_label: orNull(p.runnerLabel) },
    input_archives: [inputArchive("archive_a", a), inputArchive("archive_b", b)],
    non_claims: [
      "provenance_no_evidence_rewrite",
      "provenance_unknowns_preserved",
      "provenance_metadata_not_policy_verdict",
      "provenance_capture_commit_distinct_from_render_commit",
    ],
  };
}

function inputArchive(role: string, o: ArchiveObservation): Record<string, unknown> {
  const health = o.observationHealth ?? {};
  const correlation = o.correlationReport ?? {};
  return {
    role,
    path: o.path,
    run_id: o.runId,
    runtime_label: o.runtimeLabel,
    manifest_digest: o.manifestDigest,
    schemas: { ...o.schemas },
    // Health is copied, not reinterpreted: drift reports regardless of it (spec §3.5).
    observation_health: {
      schema: o.schemas.observation_health,
      kernel_layer: health.kernel_layer ?? null,
      ringbuf_drops: health.ringbuf_drops ?? null,
      cgroup_correlation: health.cgroup_correlation ?? null,
      policy_layer: health.policy_layer ?? null,
      sdk_layer: health.sdk_layer ?? null,
    },
    correlation_report: { schema: o.schemas.correlation_report, status: correlation.status ?? null },
  };
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value.length === 0 ? null : value;
}
