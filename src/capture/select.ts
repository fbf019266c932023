import { abilitiesOf, type CaptureAbilities } from "./abilities.ts";
import { ebpfBackend } from "./ebpf/index.ts";
import { CaptureHostError } from "./errors.ts";
import { noneBackend } from "./none/index.ts";
import { ptraceBackend } from "./ptrace/index.ts";
import type { ArmedCapture, CaptureBackend, CaptureProbe, CaptureTarget } from "./types.ts";

/** What the user asked for with --capture. */
export type CaptureRequest = "auto" | "ebpf" | "ptrace" | "none";

/** The backend chosen for a run, or why the requested one cannot run here. */
export type CaptureChoice =
  | {
      readonly ok: true;
      readonly backend: CaptureBackend;
      readonly probe: CaptureProbe;
      readonly tried: readonly CaptureProbe[];
      /** The candidates after the chosen one, in order: where auto falls back when arming fails (empty for an explicit request). */
      readonly rest: readonly CaptureBackend[];
    }
  | { readonly ok: false; readonly reason: string; readonly tried: readonly CaptureProbe[] };

/** A capture armed for a run, and each backend auto gave up on while arming. */
export interface ArmedChoice {
  readonly armed: ArmedCapture;
  /** What the armed backend can do (after any fallback). */
  readonly abilities: CaptureAbilities;
  /** One `<backend>: <reason>` per backend that probed available but could not be armed, in order. */
  readonly fallbacks: readonly string[];
}

/** Picks the backend for a run: the requested one, or for auto eBPF, then ptrace, then none. */
export async function chooseBackend(
  request: CaptureRequest,
  backends: readonly CaptureBackend[] = [ebpfBackend, ptraceBackend, noneBackend],
): Promise<CaptureChoice> {
  const candidates = request === "auto" ? backends : backends.filter((backend) => backend.name === request);
  const tried: CaptureProbe[] = [];
  for (const [index, backend] of candidates.entries()) {
    const probe = await backend.probe();
    tried.push(probe);
    if (probe.available) return { ok: true, backend, probe, tried, rest: request === "auto" ? candidates.slice(index + 1) : [] };
  }
  const reason = tried.map((probe) => `${probe.backend}: ${probe.reason}`).join("; ") || `no backend named ${request}`;
  return { ok: false, reason, tried };
}

/**
 * Arms `backend` on the session; when that fails with a CaptureHostError (the kernel refuses a map,
 * a program or an attach…) it arms the next available backend of `rest` instead, recording why.
 * An explicit request has an empty `rest`, so its failure is thrown (exit 40, nothing ran).
 */
export async function armBackend(backend: CaptureBackend, rest: readonly CaptureBackend[], target: CaptureTarget | undefined): Promise<ArmedChoice> {
  const fallbacks: string[] = [];
  const queue = [...rest];
  for (let current: CaptureBackend | undefined = backend; current !== undefined; ) {
    try {
      const armed = await current.arm(abilitiesOf(current.name).needsSession ? target : undefined);
      return { armed, abilities: abilitiesOf(armed.backend), fallbacks };
    } catch (error) {
      if (!(error instanceof CaptureHostError) || queue.length === 0) throw error;
      fallbacks.push(`${current.name}: ${error.message}`);
    }
    current = await nextAvailable(queue);
  }
  // Unreachable in practice: auto's list ends with none, which always arms.
  throw new CaptureHostError("CAPTURE_UNAVAILABLE", `no capture backend could be armed (${fallbacks.join("; ")})`);
}

// --- internal ---

async function nextAvailable(queue: CaptureBackend[]): Promise<CaptureBackend | undefined> {
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if ((await next.probe()).available) return next;
  }
  return undefined;
}
