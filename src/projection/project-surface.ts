import { PROJECTION_REPORT_SCHEMA, type CapabilitySurface, type EndpointNames, type ProjectionReport } from "../schema/index.ts";
import { classifyPath } from "./classify-path.ts";
import type { CompiledRules } from "./compile-rules.ts";
import { PathTally } from "./path-tally.ts";
import { classifyEndpoint, projectEndpoints } from "./project-endpoints.ts";
import { projectPaths } from "./project-paths.ts";
import type { RecordSink } from "./project-lines.ts";

/** How to project a capability surface: its paths as a document or as a summary, and the names of its endpoints (from the archive's DNS rows). */
export interface SurfaceOptions {
  readonly summary: boolean;
  readonly names?: EndpointNames | undefined;
}

/** The projection report of a capability surface read from `source`: its paths and its network endpoints. */
export function projectSurface(surface: CapabilitySurface, source: string, compiled: CompiledRules, options: SurfaceOptions): ProjectionReport {
  let pathPart: ProjectionReport["path_projection"];
  if (options.summary) {
    const tally = new PathTally(compiled);
    for (const path of surface.filesystem_paths) tally.add(path);
    pathPart = tally.summary();
  } else pathPart = projectPaths(surface.filesystem_paths, compiled);
  return {
    schema: PROJECTION_REPORT_SCHEMA,
    source,
    run_id: surface.run_id,
    path_projection: pathPart,
    network_projection: projectEndpoints(surface.network_endpoints, compiled, options.names),
  };
}

/** Writes one classification record per path, then one per endpoint, of a capability surface (`--format ndjson`). */
export function writeSurfaceRecords(surface: CapabilitySurface, compiled: CompiledRules, names: EndpointNames | undefined, sink: RecordSink): void {
  for (const path of surface.filesystem_paths) sink.write(`${JSON.stringify(classifyPath(path, compiled))}\n`);
  for (const endpoint of surface.network_endpoints) sink.write(`${JSON.stringify(classifyEndpoint(endpoint, compiled, names))}\n`);
}
