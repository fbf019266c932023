import { AGENT_SHIMS } from "../schema/index.ts";
import {
  buildRunSpec,
  CAPTURE_REQUESTS,
  DEFAULT_KERNEL_DRAIN_MS,
  DEFAULT_KILL_GRACE_MS,
  executeRun,
  formatDuration,
  readRunnerEnvironment,
  newRunId,
  REDACT_MODES,
  REDACTION_KEY_SOURCES,
  RunOptionsSchema,
  type RunResult,
} from "../run/index.ts";
import { parseArgsWith, splitAtDoubleDash } from "./_args.ts";
import { configureOutput, logger, printJson, showsProgress } from "./_output.ts";
import { checkOutputFile } from "./_output-file.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { OutputFileError, UsageError } from "./errors.ts";

export default cliCommand(
  {
    meta: COMMAND_META.run,
    args: {
      "run-id": { type: "string", description: "Run id: ASCII letters, digits, '_' and '-' (default run_<32 hex>)", valueHint: "ID" },
      output: { type: "string", alias: "o", description: "Archive path (default assay-runner-<run id>.tar.gz)", valueHint: "FILE" },
      "agent-shim": { type: "string", description: `Declared agent runtime: ${AGENT_SHIMS.join(" | ")} (default none)`, valueHint: "SHIM" },
      "sdk-event-log": {
        type: "string",
        description: "SDK event NDJSON the workload appends to; its path is passed as ASSAY_RUNNER_SDK_EVENT_LOG (needs --agent-shim)",
        valueHint: "FILE",
      },
      "policy-decision-log": {
        type: "string",
        description: "Policy decision NDJSON (assay mcp wrap --decision-log), read after the workload",
        valueHint: "FILE",
      },
      capture: { type: "string", description: `Kernel capture backend: ${CAPTURE_REQUESTS.join(" | ")} (default auto)`, valueHint: "BACKEND" },
      timeout: {
        type: "string",
        description: "Wall-clock limit, e.g. 30s or 2m; then SIGTERM, grace, cgroup.kill, exit 124 (archive still written)",
        valueHint: "DURATION",
      },
      "kill-grace": {
        type: "string",
        description: `How long the session may take to empty after the workload exits or is told to stop (default ${formatDuration(DEFAULT_KILL_GRACE_MS)})`,
        valueHint: "DURATION",
      },
      "kernel-drain-ms": {
        type: "string",
        description: `Milliseconds to drain kernel events after the session ends (default ${DEFAULT_KERNEL_DRAIN_MS})`,
        valueHint: "MS",
      },
      redact: { type: "string", description: `Redaction mode: ${REDACT_MODES.join(" | ")} (default shape_and_flag)`, valueHint: "MODE" },
      "redaction-key": { type: "string", description: `Redaction key source: ${REDACTION_KEY_SOURCES.join(" | ")} (default host-local)`, valueHint: "SOURCE" },
      "unsafe-disable-redaction": { type: "boolean", description: "Write raw evidence; health records redaction mode disabled_unsafe" },
      "keep-all-opens": { type: "boolean", description: "Keep every open as a row: no loader filter (writes, creates and execs are always kept)" },
      "upstream-env-scrub": {
        type: "boolean",
        description: "Give the workload upstream's environment (LD_* loader variables removed, LC_ALL=C, LANG=C), for parity runs",
      },
      egress: {
        type: "string",
        description: "Hold the session to this egress policy (assay.runner.egress_policy.v0) in the kernel; names are allowed through the runner's DNS stub",
        valueHint: "FILE",
      },
      "egress-mode": {
        type: "string",
        description: "block (default): refuse what the policy does not allow; audit: allow it and record the would-be blocks",
        valueHint: "MODE",
      },
      "dns-upstream": {
        type: "string",
        description: "Resolver the runner's DNS stub forwards to under --egress (default: the first nameserver of /etc/resolv.conf)",
        valueHint: "IP[:PORT]",
      },
      "cgroup-parent": { type: "string", description: "Create the session under this cgroup v2 directory instead of the upstream walk", valueHint: "DIR" },
      json: { type: "boolean", description: "Print the result summary as one JSON document on stdout" },
      quiet: { type: "boolean", description: "Only print errors" },
      verbose: { type: "boolean", description: "Print progress details" },
    },
    run: async ({ args, rawArgs }) => {
      configureOutput({ quiet: args.quiet, verbose: args.verbose });
      const { after } = splitAtDoubleDash(rawArgs);
      const positionals = (args._ ?? []).length - (after?.length ?? 0);
      if (after === undefined || positionals > 0) {
        throw new UsageError("MISSING_ARGUMENT", "the workload command goes after --, e.g. assay-runner run -- ./agent.sh work");
      }
      const options = parseArgsWith(RunOptionsSchema, {
        "run-id": args["run-id"],
        output: args.output,
        "agent-shim": args["agent-shim"],
        "sdk-event-log": args["sdk-event-log"],
        "policy-decision-log": args["policy-decision-log"],
        capture: args.capture,
        timeout: args.timeout,
        "kill-grace": args["kill-grace"],
        "kernel-drain-ms": args["kernel-drain-ms"],
        redact: args.redact,
        "redaction-key": args["redaction-key"],
        "unsafe-disable-redaction": args["unsafe-disable-redaction"],
        "cgroup-parent": args["cgroup-parent"],
        "keep-all-opens": args["keep-all-opens"],
        "upstream-env-scrub": args["upstream-env-scrub"],
        egress: args.egress,
        "egress-mode": args["egress-mode"],
        "dns-upstream": args["dns-upstream"],
        command: after,
      });
      const built = buildRunSpec(options, newRunId);
      if (!built.ok) throw new UsageError("BAD_ARGUMENT", built.message);
      // The one output rule of every command, before the workload runs: a directory, a missing
      // parent or a place where no file can be created exits 2 with nothing run.
      try {
        checkOutputFile("--output", built.spec.output);
      } catch (error) {
        if (error instanceof OutputFileError) throw new OutputFileError(`${error.message}; nothing was run`, { cause: error.cause });
        throw error;
      }

      using stop = runnerSignals();
      const result = await executeRun(built.spec, {
        env: readRunnerEnvironment(),
        platform: process.platform,
        interrupted: stop.interrupted,
        // With --json, stdout is one document: the workload's own stdout goes to stderr instead.
        workloadStdoutToStderr: Boolean(args.json),
        // Progress lines only on a terminal outside CI (or with --verbose); warnings always.
        onProgress: (event) => (event.level === "warn" ? logger.warn(event.message) : showsProgress ? logger.info(event.message) : logger.debug(event.message)),
      });
      if (args.json) printJson(summaryDocument(result));
      else printSummary(result);
      return result.exitCode;
    },
  },
  {
    synopsis: "[OPTIONS] -- CMD [ARG…]",
    examples: [
      "assay-runner run -o evidence.tar.gz -- make test",
      "assay-runner run --run-id run_demo -o demo.tar.gz --agent-shim openai-agents --sdk-event-log /dev/shm/sdk.ndjson -- ./agent.sh work",
    ],
  },
);

// --- internal ---

/** SIGINT/SIGTERM handlers for the length of the run: the run stops the workload and still writes its archive. */
function runnerSignals(): { interrupted: Promise<"SIGINT" | "SIGTERM"> } & Disposable {
  let onSignal: (signal: "SIGINT" | "SIGTERM") => void = () => {};
  const interrupted = new Promise<"SIGINT" | "SIGTERM">((resolve) => {
    onSignal = resolve;
  });
  const onInt = (): void => onSignal("SIGINT");
  const onTerm = (): void => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    interrupted,
    [Symbol.dispose]: () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

function summaryDocument(result: RunResult): Record<string, unknown> {
  const { health, correlation } = result;
  return {
    run_id: result.runId,
    archive: result.archivePath,
    manifest_digest: result.manifestDigest,
    exit_code: result.exitCode,
    workload: { exit_code: result.workload.exitCode, signal: result.workload.signal },
    interruption: result.interruption ?? null,
    capture_backend: result.captureBackend,
    session_cgroup_id: result.sessionCgroupId ?? null,
    health: {
      kernel_layer: health.kernel_layer,
      ringbuf_drops: health.ringbuf_drops,
      policy_layer: health.policy_layer,
      sdk_layer: health.sdk_layer,
      cgroup_correlation: health.cgroup_correlation,
      correlation_status: correlation.status,
      ambiguities: correlation.ambiguities,
      redaction: health.redaction ?? null,
      notes: health.notes,
    },
    timings_ms: result.timings,
  };
}

// deviation: upstream prints "wrote runner-spike bundle: …" on stdout; our human output goes to
// stderr (ARCHITECTURE), stdout carries only the --json document.
function printSummary(result: RunResult): void {
  const { health, correlation } = result;
  const status =
    result.workload.exitCode !== null
      ? `exit_code:${result.workload.exitCode}`
      : result.workload.signal !== null
        ? `signal:${result.workload.signal}`
        : "unknown";
  logger.success(`wrote ${result.archivePath} (run_id=${result.runId}, status=${status}, exit ${result.exitCode})`);
  logger.info(
    `manifest ${result.manifestDigest} · kernel ${health.kernel_layer} · policy ${health.policy_layer} · sdk ${health.sdk_layer} · ` +
      `cgroup ${health.cgroup_correlation} · correlation ${correlation.status} · capture ${result.captureBackend}`,
  );
  if (result.interruption?.kind === "timeout")
    logger.warn(`--timeout ${formatDuration(result.interruption.afterMs)} fired; the workload was stopped (exit 124)`);
  if (result.interruption?.kind === "signal") logger.warn(`${result.interruption.signal} received; the workload was stopped and the archive written`);
  logger.debug(`timings ${JSON.stringify(result.timings)}`);
}
