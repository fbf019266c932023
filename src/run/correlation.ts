import { compareCodePoints } from "../evidence/index.ts";
import { CORRELATION_REPORT_SCHEMA, type CorrelationBinding, type CorrelationReport } from "../schema/index.ts";

/** Builds the correlation report: policy bindings first, then the SDK cross-check (§6.3, archive spec §2.7). */
export function buildCorrelationReport(input: {
  readonly runId: string;
  /** Policy events in log order; empty when there is no policy layer. */
  readonly policy: ReadonlyArray<{ readonly tool_call_id: string; readonly decision: string }>;
  /** SDK events; only their tool_call_id matters here. */
  readonly sdk: ReadonlyArray<{ readonly tool_call_id: string | null }>;
  /** Rows of layers/kernel.ndjson for the whole run. */
  readonly kernelEventCount: number;
  /** The session cgroup id, offered only when a kernel backend captured the session. */
  readonly sessionCgroupId: bigint | undefined;
}): CorrelationReport {
  const ambiguities: string[] = [];
  const bindings: CorrelationBinding[] = [];
  if (input.policy.length > 0) {
    if (input.kernelEventCount === 0) ambiguities.push("policy_events_without_kernel_events");
    const single = input.policy.length === 1;
    if (input.sessionCgroupId !== undefined && !single) ambiguities.push("session_cgroup_ambiguous_for_multiple_policy_events");
    for (const event of input.policy) {
      bindings.push({
        tool_call_id: event.tool_call_id,
        policy_decision: event.decision,
        ...(input.sessionCgroupId !== undefined && single ? { cgroup_id: input.sessionCgroupId } : {}),
        kernel_event_count: input.kernelEventCount,
        window: { start: "run_started", end: "run_finished" },
      });
    }
    // The cross-check is asymmetric and needs a policy layer: SDK ids without a binding (§6.3 step 3).
    const bound = new Set(bindings.map((b) => b.tool_call_id));
    const sdkIds = new Set<string>();
    for (const event of input.sdk) if (event.tool_call_id !== null) sdkIds.add(event.tool_call_id);
    for (const id of [...sdkIds].sort(compareCodePoints)) {
      if (!bound.has(id)) ambiguities.push(`sdk_tool_call_without_policy_binding:${id}`);
    }
  }
  return {
    schema: CORRELATION_REPORT_SCHEMA,
    run_id: input.runId,
    status: ambiguities.length > 0 ? "partial" : "clean",
    bindings,
    ambiguities,
  };
}
