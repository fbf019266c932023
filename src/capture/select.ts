import { ebpfBackend } from "./ebpf/index.ts";
import { noneBackend } from "./none/index.ts";
import { ptraceBackend } from "./ptrace/index.ts";
import type { CaptureBackend, CaptureProbe } from "./types.ts";

/** What the user asked for with --capture. */
export type CaptureRequest = "auto" | "ebpf" | "ptrace" | "none";

/** The backend chosen for a run, or why the requested one cannot run here. */
export type CaptureChoice =
  | { readonly ok: true; readonly backend: CaptureBackend; readonly probe: CaptureProbe; readonly tried: readonly CaptureProbe[] }
  | { readonly ok: false; readonly reason: string; readonly tried: readonly CaptureProbe[] };

/** Picks the backend for a run: the requested one, or for auto eBPF, then ptrace, then none. */
export async function chooseBackend(request: CaptureRequest, backends: readonly CaptureBackend[] = [ebpfBackend, ptraceBackend, noneBackend]): Promise<CaptureChoice> {
  const candidates = request === "auto" ? backends : backends.filter((backend) => backend.name === request);
  const tried: CaptureProbe[] = [];
  for (const backend of candidates) {
    const probe = await backend.probe();
    tried.push(probe);
    if (probe.available) return { ok: true, backend, probe, tried };
  }
  const reason = tried.map((probe) => `${probe.backend}: ${probe.reason}`).join("; ") || `no backend named ${request}`;
  return { ok: false, reason, tried };
}
