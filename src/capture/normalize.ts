import type { KernelRecord } from "./types.ts";

/** What the kernel layer contributed, for the capability surface and health. */
export interface KernelSummary {
  /** Rows written to layers/kernel.ndjson. */
  readonly rowCount: number;
  /** Surface side effects (§2.3), unsorted; the run sorts after redaction. */
  readonly filesystemPaths: ReadonlySet<string>;
  readonly networkEndpoints: ReadonlySet<string>;
  readonly processExecs: ReadonlySet<string>;
  /** openat rows dropped by the loader-telemetry filter, and the most frequent paths. */
  readonly filteredLoaderEvents: number;
  readonly filteredLoaderTop: ReadonlyArray<{ readonly path: string; readonly count: number }>;
}

/** Normalizes decoded records into kernel_event.v0 row lines (each ending "\n"), handing each to `write`. */
export async function normalizeKernelRecords(
  _records: AsyncIterable<KernelRecord>,
  _runId: string,
  _write: (line: string) => void | Promise<void>,
): Promise<KernelSummary> {
  // Contract placeholder: the capture owner replaces this body (issue 4).
  throw new Error("normalizeKernelRecords is not built yet");
}
