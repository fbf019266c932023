import type { CaptureBackendName } from "./types.ts";

/** What a capture backend can do: the run asks this instead of comparing backend names. */
export interface CaptureAbilities {
  /** It observes the workload in the kernel, so the run writes a kernel layer from it. */
  readonly capturesKernel: boolean;
  /** It is armed on the cgroup v2 session (and so cannot run without one). */
  readonly needsSession: boolean;
}

/** The abilities of a backend, declared here once for each name (a new backend must add its row). */
export function abilitiesOf(backend: CaptureBackendName): CaptureAbilities {
  return ABILITIES[backend];
}

// --- internal ---

const KERNEL: CaptureAbilities = { capturesKernel: true, needsSession: true };

const ABILITIES: Readonly<Record<CaptureBackendName, CaptureAbilities>> = {
  ebpf: KERNEL,
  ptrace: KERNEL,
  // Contract-only: observes nothing in the kernel, needs no session.
  none: { capturesKernel: false, needsSession: false },
};
