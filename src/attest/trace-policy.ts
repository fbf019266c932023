import type { JsonValue } from "../evidence/index.ts";

/** Hooks of our eBPF and ptrace backends (capture's `CaptureLoss.hooks`). */
export const OWN_HOOKS = ["openat", "openat2", "open", "creat", "connect", "sendto", "sendmsg", "exec"] as const;

/** Hooks of upstream's monitor, as its drop breakdown names them (no exec hook, archive spec §2.3). */
export const UPSTREAM_HOOKS = ["openat", "openat2", "connect", "sendto", "sendmsg"] as const;

/** The rule set both producers apply when redaction is on (the archive names the mode, not the set). */
export const SECRET_RULE_SET = "assay.secret-rules.v1";

/**
 * Builds `monitor.tracePolicy` from an archive's observation health: the capture backend and its
 * version (our `capture_backend:` note), the hooks that backend attaches, any fallback, and the
 * redaction mode, key and rule tallies.
 */
export function buildTracePolicy(health: { readonly [key: string]: JsonValue }): Record<string, unknown> {
  const notes = stringsOf(health.notes);
  const backendNote = notes.find((note) => note.startsWith("capture_backend: "));
  const contractOnly = notes.some((note) => note.startsWith("contract_only_mode:"));
  const policy: Record<string, unknown> = {};
  if (backendNote !== undefined) {
    // The note names what measured, then may carry key=value details.
    const words = backendNote.slice("capture_backend: ".length).split(" ");
    const end = words.findIndex((word) => word.includes("="));
    const descriptor = words.slice(0, end < 0 ? undefined : end).join(" ");
    const name = backendNameOf(descriptor);
    policy.captureBackend = name;
    const version = descriptor.startsWith(`${name} `) ? descriptor.slice(name.length + 1) : descriptor === name ? "" : descriptor;
    if (version !== "") policy.captureVersion = version;
    // A backend this version does not know: its hooks are not claimed.
    policy.hooks = name === "ebpf" || name === "ptrace" ? [...OWN_HOOKS] : [];
    policy.hooksSource = name === "unknown" ? "unrecognised_backend" : "capture_backend_note";
  } else if (contractOnly) {
    policy.captureBackend = "none";
    policy.hooks = [];
    policy.hooksSource = "contract_only_note";
  } else {
    // An upstream producer: it records no backend note; its monitor is eBPF with upstream's hooks.
    policy.captureBackend = "unrecorded";
    policy.hooks = [...UPSTREAM_HOOKS];
    policy.hooksSource = "upstream_producer_default";
  }
  if (policy.captureBackend !== "none") policy.scope = "cgroup_v2_session";
  const fallbacks = notes.filter((note) => note.startsWith("capture_fallback: "));
  if (fallbacks.length > 0) policy.fallbacks = fallbacks;
  policy.redaction = redactionPolicy(health.redaction);
  return policy;
}

// --- internal ---

// Descriptors as producers wrote them: "ptrace strace 6.1", "ebpf bpftrace v0.17.0" (the bpftrace
// engine), "native eBPF engine (kernel 6.18.0)", "none".
function backendNameOf(descriptor: string): string {
  if (/^ptrace\b/.test(descriptor)) return "ptrace";
  if (/^none\b/.test(descriptor)) return "none";
  if (/\bebpf\b/i.test(descriptor)) return "ebpf";
  return "unknown";
}

function redactionPolicy(block: JsonValue | undefined): Record<string, unknown> {
  if (block === undefined || block === null || typeof block !== "object" || Array.isArray(block)) return { mode: "unrecorded" };
  const mode = typeof block.mode === "string" ? block.mode : "unrecorded";
  return {
    mode,
    ruleSet: mode === "shape_and_flag" || mode === "shape_only" ? SECRET_RULE_SET : null,
    keyScope: block.key_scope ?? null,
    keyId: block.key_id ?? null,
    redactedCount: block.redacted_count ?? null,
    byRule: block.by_rule ?? {},
  };
}

function stringsOf(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
