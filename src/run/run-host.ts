// The host edges of a run's prepare phase: the output probe, the scratch directory, the session.
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { isWritable, LinuxHostError, locateCgroupHost, openCgroupSession, type CgroupSession } from "../linux/index.ts";
import { RunHostError, RunInputError } from "./run-errors.ts";
import type { RunSpec } from "./run-spec.ts";

/** Opens the run's cgroup v2 session; without one, throws when it is required and otherwise warns and returns undefined. */
export function openSession(spec: Pick<RunSpec, "runId" | "cgroupParent">, required: boolean, warn: (message: string) => void): CgroupSession | undefined {
  const host = locateCgroupHost(spec.cgroupParent);
  if (!host.ok) {
    if (required || spec.cgroupParent !== undefined) throw new RunHostError("SESSION_REQUIRED", `no cgroup v2 session possible: ${host.reason}`);
    warn(`running without a cgroup session (${host.reason}); descendants the workload leaves behind cannot be collected`);
    return undefined;
  }
  try {
    return openCgroupSession({ runId: spec.runId, parent: host.parent });
  } catch (error) {
    if (required || spec.cgroupParent !== undefined || !(error instanceof LinuxHostError)) throw error;
    const reason = error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
    warn(`running without a cgroup session (${reason})`);
    return undefined;
  }
}

/** Refuses (exit 2, nothing run) an archive path the runner could not write. */
export function checkOutputWritable(archivePath: string): void {
  const dir = dirname(archivePath);
  if (existsSync(archivePath) && !isWritable(archivePath)) {
    throw new RunInputError("OUTPUT_UNWRITABLE", `cannot write the archive ${archivePath}: the existing file is not writable; nothing was run`, archivePath);
  }
  // Probing with a real file catches what access(2) misses for root: read-only mounts, full disks of inodes.
  const probe = join(dir, `.${basename(archivePath)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    unlinkSync(probe);
  } catch (error) {
    throw new RunInputError("OUTPUT_UNWRITABLE", `cannot write the archive into ${dir}; nothing was run`, archivePath, { cause: error });
  }
}

/** A private scratch directory, removed with everything in it on disposal. */
export function scratchDirectory(): { readonly path: string } & AsyncDisposable {
  const path = mkdtempSync(join(tmpdir(), "assay-run-"));
  return { path, [Symbol.asyncDispose]: async () => rmSync(path, { recursive: true, force: true }) };
}
