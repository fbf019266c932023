import { noneBackend } from "./none/index.ts";
import type { CaptureBackend, CaptureProbe } from "./types.ts";

/** What the user asked for with --capture. */
export type CaptureRequest = "auto" | "ebpf" | "ptrace" | "none";

/** The backend chosen for a run, or why the requested one cannot run here. */
export type CaptureChoice =
  | { readonly ok: true; readonly backend: CaptureBackend; readonly probe: CaptureProbe; readonly tried: readonly CaptureProbe[] }
  | { readonly ok: false; readonly reason: string; readonly tried: readonly CaptureProbe[] };

/** Picks the backend for a run: the requested one, or for auto the best this host allows. */
export async function chooseBackend(request: CaptureRequest): Promise<CaptureChoice> {
  // Only the contract-only backend exists so far; kernel backends plug in here.
  const probe = await noneBackend.probe();
  if (request === "none" || request === "auto") return { ok: true, backend: noneBackend, probe, tried: [probe] };
  return { ok: false, reason: `capture backend ${request} is not available in this build`, tried: [] };
}
