import { GITHUB_WORKFLOW_TYPE, RUN_PROCESS_TYPE } from "./constants.ts";

/** The predicate's `monitoredProcess`. */
export interface MonitoredProcess {
  readonly hostID: string;
  readonly type: string;
  readonly event: string;
}

/**
 * Identifies the monitored job: on GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY and
 * GITHUB_RUN_ID set) the platform, GitHub's workflow buildType and the run attempt URL, as the
 * runtime-trace v0.2 draft recommends; elsewhere this host and the archive's run id.
 */
export function monitoredProcessOf(env: Readonly<Record<string, string | undefined>>, hostname: string, runId: string): MonitoredProcess {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  const run = env.GITHUB_RUN_ID;
  if (present(server) && present(repository) && present(run)) {
    const attempt = present(env.GITHUB_RUN_ATTEMPT) ? env.GITHUB_RUN_ATTEMPT : "1";
    const base = server.replace(/\/+$/, "");
    return { hostID: base, type: GITHUB_WORKFLOW_TYPE, event: `${base}/${repository}/actions/runs/${run}/attempts/${attempt}` };
  }
  return { hostID: `urn:assay-runner:host:${encodeURIComponent(hostname)}`, type: RUN_PROCESS_TYPE, event: runId };
}

// --- internal ---

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}
