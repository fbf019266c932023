import type { ArchiveManifest } from "./archive-manifest.ts";
import type { CapabilitySurface, SurfaceField } from "./capability-surface.ts";
import type { CorrelationReport } from "./correlation-report.ts";
import type { Issue } from "./issue.ts";
import type { KernelEvent } from "./kernel-event.ts";
import { checkHealthForArchive, type ObservationHealth } from "./observation-health.ts";
import type { PolicyEvent } from "./policy-event.ts";
import type { RunEvent } from "./run-event.ts";
import type { SdkEvent } from "./sdk-event.ts";
import { sortUnique } from "./code-point-order.ts";
import { dotPath, makeIssue } from "./_to-issues.ts";
import { checkDnsNote } from "./dns-health.ts";
import { checkEgressNote } from "./egress-note.ts";

/** The eight members of one archive, each already valid on its own. */
export interface ArchiveDocuments {
  readonly manifest: ArchiveManifest;
  readonly surface: CapabilitySurface;
  readonly correlation: CorrelationReport;
  readonly health: ObservationHealth;
  readonly events: readonly RunEvent[];
  readonly kernel: readonly KernelEvent[];
  readonly policy: readonly PolicyEvent[];
  readonly sdk: readonly SdkEvent[];
}

/**
 * Checks what holds between the members of an archive upstream writes (spec §1.6, §2.2–2.8): one
 * run id everywhere, both run events, a capability surface that is exactly what the kernel and
 * policy rows imply, correlation bindings that mirror the policy rows, layer statuses that match
 * the layers, and no `cgroup_correlation: "failed"`. Per-row `seq` order is `checkLayer`'s job.
 */
export function checkArchiveDocuments(documents: ArchiveDocuments, file: string): Issue[] {
  return [
    ...runIdIssues(documents, file),
    ...eventIssues(documents.events, file),
    ...surfaceIssues(documents, file),
    ...correlationIssues(documents, file),
    ...layerStatusIssues(documents, file),
    ...checkHealthForArchive(documents.health, { file, member: "observation-health.json" }),
    ...checkDnsNote(documents.kernel, documents.surface, documents.health.notes, { file }),
    ...checkEgressNote(documents.health.notes, { file }),
  ];
}

/** The capability surface the kernel and policy rows imply (spec §2.3, §2.4, §2.6), each set sorted by UTF-8 bytes. */
export function deriveSurfaceSets(kernel: readonly KernelEvent[], policy: readonly PolicyEvent[]): Record<SurfaceField, string[]> {
  const sets: Record<SurfaceField, Set<string>> = {
    filesystem_paths: new Set(),
    network_endpoints: new Set(),
    process_execs: new Set(),
    mcp_tools: new Set(),
    policy_decisions: new Set(),
  };
  for (const row of kernel) {
    if (row.value === null) continue;
    const field = surfaceFieldOfKind(row.kind);
    if (field !== undefined) sets[field].add(row.value);
  }
  for (const row of policy) {
    sets.mcp_tools.add(row.tool);
    sets.policy_decisions.add(`${row.decision}:${row.tool}`);
  }
  // sortUnique sorts without a comparator call per pair when no item has a surrogate.
  return {
    filesystem_paths: sortUnique(sets.filesystem_paths),
    network_endpoints: sortUnique(sets.network_endpoints),
    process_execs: sortUnique(sets.process_execs),
    mcp_tools: sortUnique(sets.mcp_tools),
    policy_decisions: sortUnique(sets.policy_decisions),
  };
}

/**
 * The surface set a kernel row's value belongs to, or undefined: the one table the writer fills
 * the surface from and `verify` checks it against. Attempts count as much as what succeeded
 * (spec §5 item 9): failed opens, refused connects and those an audit policy let through.
 */
export function surfaceFieldOfKind(kind: string): SurfaceField | undefined {
  return Object.hasOwn(SURFACE_FIELD_OF_KIND, kind) ? SURFACE_FIELD_OF_KIND[kind] : undefined;
}

// --- internal ---

const SURFACE_FIELD_OF_KIND: Readonly<Record<string, SurfaceField>> = {
  openat: "filesystem_paths",
  file_blocked: "filesystem_paths",
  connect: "network_endpoints",
  connect_blocked: "network_endpoints",
  connect_would_block: "network_endpoints",
  sendto: "network_endpoints",
  sendmsg: "network_endpoints",
  exec: "process_execs",
};

function runIdIssues(documents: ArchiveDocuments, file: string): Issue[] {
  const runId = documents.manifest.run_id;
  const issues: Issue[] = [];
  const mismatch = (member: string, found: string, line?: number) =>
    makeIssue(
      { file, member, line },
      "RUN_ID_MISMATCH",
      "run_id",
      JSON.stringify(runId),
      JSON.stringify(found),
      `run_id ${JSON.stringify(found)} differs from the manifest's ${JSON.stringify(runId)}; one archive holds one run`,
    );
  const singles: [string, { run_id: string }][] = [
    ["capability-surface.json", documents.surface],
    ["correlation-report.json", documents.correlation],
    ["observation-health.json", documents.health],
  ];
  for (const [member, document] of singles) if (document.run_id !== runId) issues.push(mismatch(member, document.run_id));
  const layers: [string, readonly { run_id: string }[]][] = [
    ["events.ndjson", documents.events],
    ["layers/kernel.ndjson", documents.kernel],
    ["layers/policy.ndjson", documents.policy],
    ["layers/sdk.ndjson", documents.sdk],
  ];
  for (const [member, rows] of layers) {
    // One issue per layer: a wrong run id is usually wrong on every row.
    const index = rows.findIndex((row) => row.run_id !== runId);
    if (index >= 0) issues.push(mismatch(member, (rows[index] as { run_id: string }).run_id, index + 1));
  }
  return issues;
}

function eventIssues(events: readonly RunEvent[], file: string): Issue[] {
  const types = events.map((event) => event.type);
  if (types.length === 2 && types[0] === "run_started" && types[1] === "run_finished") return [];
  return [
    makeIssue(
      { file, member: "events.ndjson" },
      "EVENTS_INCOMPLETE",
      "",
      '["run_started", "run_finished"]',
      JSON.stringify(types),
      `events.ndjson must hold exactly a run_started row then a run_finished row, found ${types.length === 0 ? "none" : types.join(", ")}`,
    ),
  ];
}

function surfaceIssues(documents: ArchiveDocuments, file: string): Issue[] {
  const derived = deriveSurfaceSets(documents.kernel, documents.policy);
  const issues: Issue[] = [];
  for (const field of Object.keys(derived) as SurfaceField[]) {
    const expected = derived[field];
    const actual = documents.surface[field];
    const inSurface = new Set(actual);
    const inRows = new Set(expected);
    const missing = expected.filter((item) => !inSurface.has(item));
    const extra = actual.filter((item) => !inRows.has(item));
    if (missing.length === 0 && extra.length === 0) continue;
    const source = field === "mcp_tools" || field === "policy_decisions" ? "policy rows" : "kernel rows";
    const parts = [
      missing.length > 0 ? `lacks ${missing.length} value${missing.length === 1 ? "" : "s"} the ${source} show (first ${JSON.stringify(missing[0])})` : "",
      extra.length > 0 ? `lists ${extra.length} value${extra.length === 1 ? "" : "s"} no ${source.slice(0, -1)} shows (first ${JSON.stringify(extra[0])})` : "",
    ].filter((part) => part !== "");
    issues.push(
      makeIssue(
        { file, member: "capability-surface.json" },
        "SURFACE_MISMATCH",
        field,
        `the ${expected.length} value${expected.length === 1 ? "" : "s"} derived from the ${source}`,
        `${actual.length} value${actual.length === 1 ? "" : "s"}`,
        `capability surface ${field} ${parts.join(" and ")}`,
      ),
    );
  }
  return issues;
}

function correlationIssues(documents: ArchiveDocuments, file: string): Issue[] {
  const { correlation, policy, kernel } = documents;
  const where = { file, member: "correlation-report.json" };
  if (correlation.bindings.length !== policy.length) {
    return [
      makeIssue(
        where,
        "CORRELATION_MISMATCH",
        "bindings",
        `${policy.length} binding${policy.length === 1 ? "" : "s"} (one per policy row)`,
        String(correlation.bindings.length),
        `correlation report has ${correlation.bindings.length} bindings but the policy layer has ${policy.length} rows; each policy decision gets one binding`,
      ),
    ];
  }
  const issues: Issue[] = [];
  for (const [i, binding] of correlation.bindings.entries()) {
    const row = policy[i] as PolicyEvent;
    const pairs: [string, string | null, string][] = [
      ["tool_call_id", binding.tool_call_id, row.tool_call_id],
      ["policy_decision", binding.policy_decision, row.decision],
    ];
    for (const [key, found, wanted] of pairs) {
      if (found === wanted) continue;
      issues.push(
        makeIssue(
          where,
          "CORRELATION_MISMATCH",
          dotPath(["bindings", i, key]),
          JSON.stringify(wanted),
          JSON.stringify(found),
          `binding ${i} ${key} ${JSON.stringify(found)} does not match policy row ${i} (${JSON.stringify(wanted)})`,
        ),
      );
    }
    // Kernel rows are applied before policy, so every binding counts the whole kernel layer (spec §2.7).
    if (BigInt(binding.kernel_event_count) !== BigInt(kernel.length)) {
      issues.push(
        makeIssue(
          where,
          "CORRELATION_MISMATCH",
          dotPath(["bindings", i, "kernel_event_count"]),
          String(kernel.length),
          String(binding.kernel_event_count),
          `binding ${i} counts ${binding.kernel_event_count} kernel events but the kernel layer has ${kernel.length} rows`,
        ),
      );
    }
  }
  return issues;
}

function layerStatusIssues(documents: ArchiveDocuments, file: string): Issue[] {
  const { health, policy, sdk } = documents;
  const where = { file, member: "observation-health.json" };
  const issues: Issue[] = [];
  const policyPresent = health.policy_layer === "present";
  if (policyPresent !== policy.length > 0) {
    issues.push(
      makeIssue(
        where,
        "HEALTH_LAYER_MISMATCH",
        "policy_layer",
        policy.length > 0 ? '"present"' : '"absent"',
        JSON.stringify(health.policy_layer),
        `policy_layer is ${JSON.stringify(health.policy_layer)} but layers/policy.ndjson has ${policy.length} rows`,
      ),
    );
  }
  const sdkPresent = health.sdk_layer !== "absent";
  if (sdkPresent !== sdk.length > 0) {
    issues.push(
      makeIssue(
        where,
        "HEALTH_LAYER_MISMATCH",
        "sdk_layer",
        sdk.length > 0 ? '"self_reported"' : '"absent"',
        JSON.stringify(health.sdk_layer),
        `sdk_layer is ${JSON.stringify(health.sdk_layer)} but layers/sdk.ndjson has ${sdk.length} rows`,
      ),
    );
  }
  return issues;
}
