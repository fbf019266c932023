import { readFileSync } from "node:fs";
import { formatIssue, type Issue, type PolicyEvent, type Result, type SdkEvent } from "../schema/index.ts";
import { ingestPolicyLog } from "./ingest-policy.ts";
import { ingestSdkLog } from "./ingest-sdk.ts";
import { RunInputError } from "./run-errors.ts";
import type { RunSpec } from "./run-spec.ts";

/** The policy and SDK layers of a run, read after the workload ended. */
export interface LayerLogs {
  /** Policy events in log order, or undefined without `--policy-decision-log`. */
  readonly policy: readonly PolicyEvent[] | undefined;
  /** SDK events in log order, or undefined without `--sdk-event-log`. */
  readonly sdk: readonly SdkEvent[] | undefined;
  /** Notes for an interrupted run whose logs could not be used. */
  readonly warnings: readonly string[];
}

/**
 * Reads the policy log, then the SDK log (§3 phase 8). A missing, empty or invalid log stops the run
 * with exit 2 and no archive, as upstream; after a timeout or runner signal the workload may not have
 * finished its logs, so such a layer is left absent and a note says so.
 */
export function readLayerLogs(spec: Pick<RunSpec, "runId" | "policyDecisionLog" | "sdkEventLog">, interrupted: boolean): LayerLogs {
  const warnings: string[] = [];
  const policy = readLayer(spec.policyDecisionLog, "policy_decision_log", (text, file) => ingestPolicyLog(text, file, spec.runId), interrupted, warnings);
  const sdk = readLayer(spec.sdkEventLog, "sdk_event_log", (text, file) => ingestSdkLog(text, file, spec.runId), interrupted, warnings);
  return { policy, sdk, warnings };
}

// --- internal ---

function readLayer<T>(
  file: string | undefined,
  name: string,
  ingest: (text: string, file: string) => Result<T[]>,
  interrupted: boolean,
  warnings: string[],
): T[] | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    // Upstream reads the log as UTF-8 text (read_to_string): invalid bytes make it unreadable.
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch (error) {
    if (interrupted) {
      warnings.push(`interrupted_run_layer_absent: ${name} unreadable after the run was cut short`);
      return undefined;
    }
    throw new RunInputError("LOG_UNREADABLE", `cannot read ${name.replaceAll("_", " ")} ${file}; no archive was written`, file, { cause: error });
  }
  const result = ingest(text, file);
  if (result.ok) return result.value;
  // deviation: upstream has no timeout or signal handling; a workload we cut short may leave a
  // half-written log, which must not cost the archive that records the interruption.
  if (interrupted) {
    warnings.push(`interrupted_run_layer_absent: ${name} invalid after the run was cut short`);
    return undefined;
  }
  throw new RunInputError("LOG_INVALID", `${describe(result.issues)}; no archive was written`, file);
}

function describe(issues: readonly Issue[]): string {
  const shown = issues.slice(0, 3).map(formatIssue);
  return issues.length > 3 ? `${shown.join("\n")}\n… and ${issues.length - 3} more` : shown.join("\n");
}
