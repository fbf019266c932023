import * as v from "valibot";
import { AGENT_SHIMS, isSafeRunId, SDK_EVENT_SCHEMA } from "../schema/index.ts";
import { parseDuration } from "./duration.ts";

/** The `--capture` values. */
export const CAPTURE_REQUESTS = ["auto", "ebpf", "ptrace", "none"] as const;
/** The `--redact` modes. */
export const REDACT_MODES = ["shape_and_flag", "shape_only"] as const;
/** The `--redaction-key` sources. */
export const REDACTION_KEY_SOURCES = ["host-local", "ephemeral"] as const;

/** Default of `--kill-grace`: how long the session may take to empty after the workload exits. */
export const DEFAULT_KILL_GRACE_MS = 5000;
/** Default of `--kernel-drain-ms` (upstream's 100 ms). */
export const DEFAULT_KERNEL_DRAIN_MS = 100;

/** The run options as they come from the command line (flag names as typed), before validation. */
export const RunOptionsSchema = v.object({
  "run-id": v.optional(v.pipe(v.string(), v.check(isSafeRunId, "a run id must be non-empty and use only ASCII letters, digits, '_' and '-' (no ':')"))),
  output: v.optional(v.pipe(v.string(), v.nonEmpty("an output path must not be empty"))),
  "agent-shim": v.optional(v.picklist(AGENT_SHIMS, `expected one of ${AGENT_SHIMS.join(", ")}`), "none"),
  "sdk-event-log": v.optional(v.pipe(v.string(), v.nonEmpty("an SDK event log path must not be empty"))),
  "policy-decision-log": v.optional(v.pipe(v.string(), v.nonEmpty("a policy decision log path must not be empty"))),
  capture: v.optional(v.picklist(CAPTURE_REQUESTS, `expected one of ${CAPTURE_REQUESTS.join(", ")}`), "auto"),
  timeout: v.optional(durationSchema("--timeout", 1)),
  "kill-grace": v.optional(durationSchema("--kill-grace", 0), `${DEFAULT_KILL_GRACE_MS}ms`),
  "kernel-drain-ms": v.optional(
    v.pipe(
      v.union([v.string(), v.number()]),
      v.transform((value) => Number(value)),
      v.integer("expected a whole number of milliseconds"),
      v.minValue(0, "expected 0 or more milliseconds"),
    ),
    DEFAULT_KERNEL_DRAIN_MS,
  ),
  redact: v.optional(v.picklist(REDACT_MODES, `expected one of ${REDACT_MODES.join(", ")}`), "shape_and_flag"),
  "redaction-key": v.optional(v.picklist(REDACTION_KEY_SOURCES, `expected one of ${REDACTION_KEY_SOURCES.join(", ")}`), "host-local"),
  "unsafe-disable-redaction": v.optional(v.boolean(), false),
  "keep-all-opens": v.optional(v.boolean(), false),
  "upstream-env-scrub": v.optional(v.boolean(), false),
  egress: v.optional(v.pipe(v.string(), v.minLength(1, "expected a policy file"))),
  "egress-mode": v.optional(v.picklist(["audit", "block"], "expected audit or block"), "block"),
  "dns-upstream": v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/, "expected an IPv4 address with an optional :port, e.g. 10.0.0.53 or 127.0.0.1:5353")),
  ),
  "cgroup-parent": v.optional(v.pipe(v.string(), v.startsWith("/", "expected an absolute cgroup directory"))),
  command: v.pipe(
    v.array(v.string()),
    v.nonEmpty("a workload command is required after --, e.g. assay-runner run -- ./agent.sh work"),
    v.check((argv) => argv[0] !== "", "the workload command must not be an empty string"),
  ),
});

/** Run options as typed by the schema. */
export type RunOptions = v.InferOutput<typeof RunOptionsSchema>;

/** Everything a run needs, validated; built by buildRunSpec. */
export interface RunSpec {
  readonly runId: string;
  /** Archive path as given (relative to the working directory) or the default. */
  readonly output: string;
  readonly agentShim: (typeof AGENT_SHIMS)[number];
  /** The workload argv; argv[0] is looked up on PATH. */
  readonly command: readonly string[];
  readonly sdkEventLog: string | undefined;
  readonly policyDecisionLog: string | undefined;
  readonly capture: (typeof CAPTURE_REQUESTS)[number];
  /** Wall-clock limit for the workload; undefined for none. */
  readonly timeoutMs: number | undefined;
  readonly killGraceMs: number;
  readonly kernelDrainMs: number;
  readonly redact: (typeof REDACT_MODES)[number] | "disabled_unsafe";
  readonly redactionKey: (typeof REDACTION_KEY_SOURCES)[number];
  readonly cgroupParent: string | undefined;
  /** `--keep-all-opens`: no loader filter; every open of the session is a row. */
  readonly keepAllOpens: boolean;
  /** `--upstream-env-scrub`: upstream's loader-variable removal and C locale, for parity runs. */
  readonly upstreamEnvScrub: boolean;
  /** `--egress FILE`: hold the session to this policy in the kernel (`--egress-mode`, `--dns-upstream`). */
  readonly egress: { readonly file: string; readonly mode: "audit" | "block"; readonly dnsUpstream: string | undefined } | undefined;
  /** Variables the runner injects into the workload (§2.3), keys sorted by UTF-8 bytes. */
  readonly env: Readonly<Record<string, string>>;
}

/** A RunSpec, or the one reason the options cannot make one. */
export type RunSpecResult = { readonly ok: true; readonly spec: RunSpec } | { readonly ok: false; readonly flag: string; readonly message: string };

/** Turns validated options into a RunSpec; `newRunId` supplies the default id (`run_<32 hex>`). */
export function buildRunSpec(options: RunOptions, newRunId: () => string): RunSpecResult {
  if (options.egress === undefined && options["dns-upstream"] !== undefined) {
    return { ok: false, flag: "dns-upstream", message: "--dns-upstream only applies with --egress FILE" };
  }
  if (options.egress !== undefined && options.capture === "none") {
    return { ok: false, flag: "egress", message: "--egress records blocked attempts in the kernel layer: it needs --capture auto, ebpf or ptrace, not none" };
  }
  if (options["sdk-event-log"] !== undefined && options["agent-shim"] === "none") {
    // Upstream pre-validation (spec.rs): an SDK channel only makes sense with an SDK shim.
    return { ok: false, flag: "sdk-event-log", message: "--sdk-event-log requires an SDK agent shim (--agent-shim openai-agents or gemini-google-genai)" };
  }
  const runId = options["run-id"] ?? newRunId();
  const env: Record<string, string> = {};
  if (options["sdk-event-log"] !== undefined) {
    // Sorted keys, as upstream's BTreeMap; the values reach the child only, never the archive.
    env.ASSAY_RUNNER_RUN_ID = runId;
    env.ASSAY_RUNNER_SDK_EVENT_LOG = options["sdk-event-log"];
    env.ASSAY_RUNNER_SDK_EVENT_SCHEMA = SDK_EVENT_SCHEMA;
  }
  return {
    ok: true,
    spec: {
      runId,
      // deviation: upstream's default is assay-runner-spike-<run_id>.tar.gz; our binary is assay-runner.
      output: options.output ?? `assay-runner-${runId}.tar.gz`,
      agentShim: options["agent-shim"],
      command: options.command,
      sdkEventLog: options["sdk-event-log"],
      policyDecisionLog: options["policy-decision-log"],
      capture: options.capture,
      timeoutMs: options.timeout,
      killGraceMs: options["kill-grace"],
      kernelDrainMs: options["kernel-drain-ms"],
      redact: options["unsafe-disable-redaction"] ? "disabled_unsafe" : options.redact,
      redactionKey: options["redaction-key"],
      cgroupParent: options["cgroup-parent"],
      keepAllOpens: options["keep-all-opens"],
      upstreamEnvScrub: options["upstream-env-scrub"],
      egress: options.egress === undefined ? undefined : { file: options.egress, mode: options["egress-mode"], dnsUpstream: options["dns-upstream"] },
      env,
    },
  };
}

/** A fresh default run id: `run_` and 32 lowercase hex digits (a UUID v4 without dashes, as upstream). */
export function newRunId(): string {
  return `run_${crypto.randomUUID().replaceAll("-", "")}`;
}

// --- internal ---

function durationSchema(flag: string, min: number) {
  return v.pipe(
    v.string(),
    v.transform(parseDuration),
    v.number(`${flag} expects a duration such as 500ms, 30s or 2m`),
    v.minValue(min, `${flag} must be at least ${min}ms`),
  );
}
