import { sortUnique } from "../evidence/index.ts";
import { CAPABILITY_SURFACE_SCHEMA, type CapabilitySurface } from "../schema/index.ts";

/** The five capability sets before sorting (values may still be redacted). */
export interface SurfaceSets {
  readonly filesystem_paths: readonly string[];
  readonly network_endpoints: readonly string[];
  readonly process_execs: readonly string[];
  readonly mcp_tools: readonly string[];
  readonly policy_decisions: readonly string[];
}

/** Collects the surface sets from the kernel summary and the policy events (§2.6). */
export function collectSurfaceSets(input: {
  readonly kernel:
    | { readonly filesystemPaths: Iterable<string>; readonly networkEndpoints: Iterable<string>; readonly processExecs: Iterable<string> }
    | undefined;
  readonly policy: ReadonlyArray<{ readonly tool: string; readonly decision: string }>;
}): SurfaceSets {
  return {
    filesystem_paths: [...(input.kernel?.filesystemPaths ?? [])],
    network_endpoints: [...(input.kernel?.networkEndpoints ?? [])],
    process_execs: [...(input.kernel?.processExecs ?? [])],
    mcp_tools: input.policy.map((e) => e.tool),
    policy_decisions: input.policy.map((e) => `${e.decision}:${e.tool}`),
  };
}

/** Builds the surface document: every set deduplicated and sorted by UTF-8 bytes. */
export function buildCapabilitySurface(runId: string, sets: SurfaceSets): CapabilitySurface {
  return {
    schema: CAPABILITY_SURFACE_SCHEMA,
    run_id: runId,
    filesystem_paths: sortUnique(sets.filesystem_paths),
    network_endpoints: sortUnique(sets.network_endpoints),
    process_execs: sortUnique(sets.process_execs),
    mcp_tools: sortUnique(sets.mcp_tools),
    policy_decisions: sortUnique(sets.policy_decisions),
  };
}
