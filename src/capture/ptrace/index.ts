import { mayPtraceChild, readHostFacts } from "../../linux/index.ts";
import { CaptureHostError } from "../errors.ts";
import type { CaptureBackend, CaptureProbe } from "../types.ts";

/**
 * The ptrace backend: the workload runs under `strace -f --seccomp-bpf`, which writes every traced
 * call into a FIFO the runner reads and decodes while the run goes on, so strace's output (paths,
 * argv) never lands in a file.
 */
export const ptraceBackend: CaptureBackend = {
  name: "ptrace",
  probe: async () => probePtrace(),
  arm: async (target) => {
    if (target === undefined) throw new CaptureHostError("CAPTURE_TARGET_MISSING", "ptrace capture needs a scratch directory from the session");
    // Its decoder loads only for a ptrace run: an eBPF run starts its workload sooner without it.
    const { armPtrace } = await import("./arm-ptrace.ts");
    return armPtrace(target);
  },
};

// --- internal ---

async function probePtrace(): Promise<CaptureProbe> {
  const facts = readHostFacts();
  const unavailable = (reason: string): CaptureProbe => ({ backend: "ptrace", available: false, reason, version: facts.straceVersion ?? "" });
  if (!facts.isLinux) return unavailable("ptrace capture needs Linux");
  if (facts.stracePath === undefined) return unavailable("strace is not installed (Debian: apt-get install strace)");
  if (!mayPtraceChild(facts)) return unavailable(`Yama ptrace_scope=${facts.yamaPtraceScope} forbids tracing the workload`);
  return { backend: "ptrace", available: true, reason: `strace at ${facts.stracePath}`, version: facts.straceVersion ?? "strace" };
}
