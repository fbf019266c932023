import { BpfError, BpfProgram, exit, mov, R0, rawTracepointTarget } from "../bpf/index.ts";
import { mayLoadBpf, mayPtraceChild, readHostFacts, type HostCheck, type HostFacts } from "../linux/index.ts";
import { ebpfBackend, nativeEngineVersion } from "./ebpf/index.ts";
import { noneBackend } from "./none/index.ts";
import type { CaptureBackendName, CaptureProbe } from "./types.ts";

/** What this host can capture and why not (the `doctor` report). */
export interface CaptureDiagnosis {
  readonly checks: readonly HostCheck[];
  readonly backends: readonly CaptureProbe[];
  /** The backend `--capture auto` would pick. */
  readonly recommended: CaptureBackendName;
  /** Whether some kernel capture (eBPF or ptrace) can run here, session included. */
  readonly kernelCapture: boolean;
}

/** Checks every host fact kernel capture depends on; `loadBpf` loads a two-instruction program of the engine's kind as the real test. */
export async function diagnoseCapture(options: { readonly loadBpf: boolean }): Promise<CaptureDiagnosis> {
  const facts = readHostFacts();
  const ebpfProbe = await ebpfBackend.probe();
  const checks: HostCheck[] = [
    { check: "platform", ok: facts.isLinux, detail: facts.isLinux ? "linux" : `${process.platform}: measurement needs Linux` },
    cgroupCheck(facts),
    privilegeCheck(facts),
    { check: "ebpf_engine", ok: ebpfProbe.available, detail: ebpfProbe.available ? `${nativeEngineVersion()}: ${ebpfProbe.reason}` : ebpfProbe.reason },
  ];
  const bpfLoad = bpfLoadCheck(facts, options.loadBpf);
  checks.push(bpfLoad);
  checks.push({
    check: "tracefs",
    ok: facts.tracefs !== undefined || facts.isRoot,
    detail: facts.tracefs
      ? `mounted at ${facts.tracefs}`
      : facts.isRoot
        ? "not mounted; an eBPF run mounts it at /sys/kernel/tracing"
        : "not mounted at /sys/kernel/tracing (tracepoint ids and field offsets are read there)",
  });
  checks.push({
    check: "btf",
    ok: facts.btf,
    detail: facts.btf
      ? "/sys/kernel/btf/vmlinux present (the engine's raw tracepoint programs are typed by it, and its task storage needs it)"
      : "absent: the kernel was built without CONFIG_DEBUG_INFO_BTF, which the eBPF engine's programs need",
  });
  checks.push({
    check: "ptrace_scope",
    ok: mayPtraceChild(facts),
    detail:
      facts.yamaPtraceScope === undefined
        ? "Yama not present: ptrace unrestricted"
        : `Yama ptrace_scope=${facts.yamaPtraceScope}${mayPtraceChild(facts) ? " (a tracer may trace its own child)" : " (forbids tracing the workload)"}`,
  });
  checks.push({
    check: "strace",
    ok: facts.stracePath !== undefined,
    detail: facts.stracePath
      ? `${facts.straceVersion ?? "unknown version"} at ${facts.stracePath} (the ptrace fallback; the only capture that needs a tool on the host)`
      : "not installed (Debian: apt-get install strace); only the ptrace fallback needs it",
  });

  const session = facts.isLinux && facts.cgroup2Mount !== undefined && facts.cgroup2Writable;
  const ebpfOk = session && ebpfProbe.available && bpfLoad.ok;
  const ptraceOk = session && facts.stracePath !== undefined && mayPtraceChild(facts);
  const backends: CaptureProbe[] = [
    {
      ...ebpfProbe,
      available: ebpfOk,
      reason: ebpfOk ? ebpfProbe.reason : firstFailure(checks, ["platform", "cgroup2", "privileges", "btf", "ebpf_engine", "bpf_load", "tracefs"]),
    },
    {
      backend: "ptrace",
      available: ptraceOk,
      reason: ptraceOk ? "strace can trace the workload" : firstFailure(checks, ["platform", "cgroup2", "strace", "ptrace_scope"]),
      version: facts.straceVersion ?? "",
    },
    await noneBackend.probe(),
  ];
  return { checks, backends, recommended: ebpfOk ? "ebpf" : ptraceOk ? "ptrace" : "none", kernelCapture: ebpfOk || ptraceOk };
}

// --- internal ---

function cgroupCheck(facts: HostFacts): HostCheck {
  if (facts.cgroup2Mount === undefined) return { check: "cgroup2", ok: false, detail: "no cgroup v2 hierarchy mounted" };
  return facts.cgroup2Writable
    ? { check: "cgroup2", ok: true, detail: `${facts.cgroup2Mount} (writable: sessions can be created)` }
    : { check: "cgroup2", ok: false, detail: `${facts.cgroup2Mount} is not writable by this user (sessions need root or a delegated subtree)` };
}

function privilegeCheck(facts: HostFacts): HostCheck {
  if (facts.isRoot) return { check: "privileges", ok: true, detail: "root" };
  const names = Object.entries(facts.caps)
    .filter(([, has]) => has)
    .map(([name]) => name);
  return {
    check: "privileges",
    ok: mayLoadBpf(facts),
    detail: names.length > 0 ? `not root; capabilities: ${names.join(", ")}` : "not root, no BPF capabilities (CAP_BPF+CAP_PERFMON)",
  };
}

// The real test: the kernel gives the raw sys_enter's BTF type id and accepts a BTF-typed program
// for it (`r0 = 0; exit`), as the engine's; nothing is attached.
function bpfLoadCheck(facts: HostFacts, load: boolean): HostCheck {
  if (!facts.isLinux) return { check: "bpf_load", ok: false, detail: "skipped: not Linux" };
  if (!mayLoadBpf(facts)) return { check: "bpf_load", ok: false, detail: "skipped: no privilege to load BPF" };
  if (!load) return { check: "bpf_load", ok: true, detail: "not tried (privileges suffice)" };
  try {
    const target = rawTracepointTarget("sys_enter");
    BpfProgram.load({ name: "assay_doctor", ...target, instructions: [mov(R0, 0), exit()] }, new Map()).close();
    return { check: "bpf_load", ok: true, detail: `the kernel accepted a BTF-typed raw sys_enter program (type ${target.attachBtfId} of its BTF)` };
  } catch (error) {
    return { check: "bpf_load", ok: false, detail: error instanceof BpfError ? error.message : String(error) };
  }
}

function firstFailure(checks: readonly HostCheck[], names: readonly string[]): string {
  const failed = checks.find((check) => names.includes(check.check) && !check.ok);
  return failed ? `${failed.check}: ${failed.detail}` : "unavailable";
}
