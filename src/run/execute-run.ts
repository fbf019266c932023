import { dirname, resolve } from "node:path";
import {
  abilitiesOf,
  armBackend,
  chooseBackend,
  noneBackend,
  type ArmedCapture,
  type CaptureAbilities,
  type CaptureChoice,
  type CaptureTarget,
} from "../capture/index.ts";
import type { CompiledEgressPolicy } from "../egress/index.ts";
import { ArchiveWriter } from "../evidence/index.ts";
import type { CorrelationReport } from "../schema/index.ts";
import { CgroupSession, RunGuardian, type JoinWarmer } from "../linux/index.ts";
import { buildChildEnv } from "./child-env.ts";
import type { EgressSession } from "./egress-phase.ts";
import type { ObservationHealthDocument } from "./observation-health.ts";
import { prepareRedaction, type PreparedRedaction } from "./redact-run.ts";
import { checkOutputWritable, openSession, scratchDirectory } from "./run-host.ts";
import { RunHostError, RunInterruptedError } from "./run-errors.ts";
import { runStartedLine, type WorkloadEnd } from "./run-events.ts";
import type { RunSpec } from "./run-spec.ts";
import { superviseWorkload, type Interruption, type WorkloadOutcome } from "./workload.ts";

export { exitCodeOf, runnerNotes } from "./run-outcome.ts";

/** What the run needs from its surroundings (injected so the pipeline has no hidden inputs). */
export interface RunIo {
  /** The runner's environment, the base of the workload's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.platform`; measurement is Linux-only. */
  readonly platform: string;
  /** Resolves when the runner receives SIGINT or SIGTERM. */
  readonly interrupted: Promise<"SIGINT" | "SIGTERM">;
  /** Progress and warnings for the user (the CLI renders them). */
  readonly onProgress?: (event: RunProgress) => void;
  /** Send the workload's stdout to stderr, so stdout carries only the runner's JSON document. */
  readonly workloadStdoutToStderr?: boolean;
  /** Picks the capture backend (default: capture's chooseBackend); tests inject a backend here. */
  readonly chooseBackend?: typeof chooseBackend;
  /** Called with the run's scratch directory once every member is final, before the commit (tests look for secrets there). */
  readonly inspectScratch?: (scratchDir: string) => void | Promise<void>;
}

/** One progress or warning message of a run. */
export interface RunProgress {
  readonly level: "info" | "warn";
  readonly message: string;
}

/** Milliseconds spent in each phase of the run, for the summary and the demo. */
export interface RunTimings {
  readonly prepare_ms: number;
  readonly workload_ms: number;
  readonly collect_ms: number;
  readonly archive_ms: number;
  readonly total_ms: number;
}

/** What a finished run produced. */
export interface RunResult {
  readonly runId: string;
  /** Absolute path of the written archive. */
  readonly archivePath: string;
  /** `sha256:` over the exact manifest bytes: the archive's identity. */
  readonly manifestDigest: string;
  /** The runner's exit code: the workload's, 128+signal, 124 on timeout, 130/143 when the runner was stopped. */
  readonly exitCode: number;
  readonly workload: WorkloadEnd;
  readonly interruption: Interruption | undefined;
  readonly captureBackend: string;
  readonly sessionCgroupId: bigint | undefined;
  readonly health: ObservationHealthDocument;
  readonly correlation: CorrelationReport;
  readonly timings: RunTimings;
}

/**
 * Performs one measured run (§3) in five phases, each taking what the one before produced:
 * prepare (inputs, backend choice, guardian, scratch, session) → arm (capture, archive writer,
 * egress) → supervise (the workload) → collect (kernel, policy and SDK layers, correlation) → seal
 * (health, redaction sweep, atomic archive write). What a phase opens stays open until the run
 * ends, and is released in reverse order however it ends.
 * Throws RunInputError (exit 2, no archive) or RunHostError/LinuxHostError (exit 40, nothing run).
 */
export async function executeRun(spec: RunSpec, io: RunIo): Promise<RunResult> {
  await using resources = new AsyncDisposableStack();
  const prepared = await prepare(spec, io, resources);
  const armed = await arm(prepared, resources);
  const supervised = await supervise(armed);
  // What follows the workload loads only now: none of it stands between the start and the
  // workload's first instruction.
  const { collectAndSeal } = await import("./collect-run.ts");
  return await collectAndSeal(supervised);
}

/** The prepare phase's result: inputs checked, backend chosen, guardian, scratch and session up. */
export interface Prepared {
  readonly spec: RunSpec;
  readonly io: RunIo;
  readonly t0: number;
  /** Keeps the kernel's migration lock warm from session creation to the workload's join. */
  readonly warmer: JoinWarmer | undefined;
  readonly archivePath: string;
  readonly egressPolicy: CompiledEgressPolicy | undefined;
  readonly redaction: PreparedRedaction;
  readonly choice: Extract<CaptureChoice, { ok: true }>;
  readonly guardian: RunGuardian | undefined;
  readonly scratch: { readonly path: string };
  readonly session: CgroupSession | undefined;
}

/** The arm phase's result: the capture armed (and what it can do), the writer open, egress held. */
export interface Armed extends Prepared {
  readonly capture: ArmedCapture;
  readonly abilities: CaptureAbilities;
  readonly captureFallbacks: readonly string[];
  readonly writer: ArchiveWriter;
  readonly egress: EgressSession | undefined;
}

/** The supervise phase's result: how the workload ended, and when. */
export interface Supervised extends Armed {
  readonly startedLine: string;
  /** When the workload started (performance.now()). */
  readonly clock: number;
  readonly prepareMs: number;
  readonly outcome: WorkloadOutcome;
  readonly workloadMs: number;
}

// --- internal ---

async function prepare(spec: RunSpec, io: RunIo, resources: AsyncDisposableStack): Promise<Prepared> {
  const t0 = performance.now();
  if (io.platform !== "linux") {
    throw new RunHostError(
      "PLATFORM_UNSUPPORTED",
      `assay-runner run measures workloads on Linux only (this host is ${io.platform}); verify, inspect and diff work here`,
    );
  }
  const archivePath = resolve(spec.output);
  checkOutputWritable(archivePath);
  // A bad policy file is bad input: exit 2 before anything runs.
  const egressPolicy = spec.egress === undefined ? undefined : (await import("./egress-phase.ts")).readEgressPolicy(spec.egress.file);
  const redaction = prepareRedaction(spec, io.env);

  const choice = await (io.chooseBackend ?? chooseBackend)(spec.capture);
  if (!choice.ok) throw new RunHostError("CAPTURE_UNAVAILABLE", `--capture ${spec.capture}: ${choice.reason}`);

  // If the runner itself is killed (SIGKILL, OOM), the guardian removes what it leaves behind.
  const guardian = resources.use(RunGuardian.start());
  const scratch = resources.use(scratchDirectory());
  guardian?.guardDirectory(scratch.path);
  guardian?.guardPartialFiles(dirname(archivePath), ArchiveWriter.temporaryPrefix(archivePath));
  // An explicitly requested kernel backend needs the session (exit 40 without one); auto degrades.
  const sessionRequired = abilitiesOf(choice.backend.name).needsSession && spec.capture !== "auto";
  const session = resources.use(openSession(spec, sessionRequired, (message) => io.onProgress?.({ level: "warn", message })));
  if (session) guardian?.guardSession(session.path);
  // The kernel's first cgroup migration after a quiet spell waits a grace period; warming the
  // lock from here overlaps that wait with arming instead of the workload's start.
  const warmer = session ? CgroupSession.warmJoin() : undefined;
  if (warmer) resources.defer(() => warmer.stop());
  return { spec, io, t0, warmer, archivePath, egressPolicy, redaction, choice, guardian, scratch, session };
}

async function arm(prepared: Prepared, resources: AsyncDisposableStack): Promise<Armed> {
  const { spec, io, choice, guardian, scratch, session } = prepared;
  let backend = choice.backend;
  if (!session && abilitiesOf(backend.name).needsSession) {
    io.onProgress?.({ level: "warn", message: `--capture auto: ${backend.name} needs a cgroup v2 session; capturing nothing (contract-only)` });
    backend = noneBackend;
  }
  const target: CaptureTarget | undefined = session
    ? { cgroupPath: session.path, cgroupId: session.id, scratchDir: scratch.path, runnerJoins: true }
    : undefined;
  if (abilitiesOf(backend.name).capturesKernel) io.onProgress?.({ level: "info", message: `arming ${backend.name} capture on ${session?.path ?? ""}` });
  // auto falls back (ptrace, then none) when the chosen backend cannot be armed; explicit requests exit 40 here.
  const arming = await armBackend(backend, session ? choice.rest : [], target);
  const capture = resources.use(arming.armed);
  for (const helper of capture.helpers) guardian?.guardProcess(helper.pid, helper.comm);
  const captureFallbacks = arming.fallbacks.map((reason) => `capture_fallback: --capture auto could not arm ${reason}; measured with ${capture.version}`);
  for (const note of captureFallbacks) io.onProgress?.({ level: "warn", message: note });
  // Spooled in the scratch directory, so what the guardian removes covers it.
  const writer = resources.use(await ArchiveWriter.create({ outputPath: prepared.archivePath, runId: spec.runId, spoolDir: scratch.path }));

  // The egress policy is held in the kernel before the workload starts, on the session only.
  if (spec.egress !== undefined && session === undefined)
    throw new RunHostError("SESSION_REQUIRED", "--egress needs a cgroup v2 session (root, or a delegated cgroup v2 subtree)");
  const egressPolicy = prepared.egressPolicy;
  const egress = resources.use(
    spec.egress !== undefined && egressPolicy !== undefined && session !== undefined
      ? await (await import("./egress-phase.ts")).startEgress(spec.egress, egressPolicy, session.path)
      : undefined,
  );

  // Arming a kernel backend takes seconds; a stop request meanwhile must not start the workload.
  const early = await Promise.race([io.interrupted, Promise.resolve(undefined)]);
  if (early !== undefined) throw new RunInterruptedError(early);
  return { ...prepared, capture, abilities: arming.abilities, captureFallbacks, writer, egress };
}

async function supervise(armed: Armed): Promise<Supervised> {
  const { spec, io, capture, session, scratch } = armed;
  // A warming move landing after the join would take the runner back out before the fork.
  await armed.warmer?.stop();
  const startedLine = runStartedLine({ runId: spec.runId, agentShim: spec.agentShim, command: spec.command, env: spec.env });
  const clock = performance.now();
  const prepareMs = clock - armed.t0;
  io.onProgress?.({
    level: "info",
    message: `running ${spec.command.join(" ")} (capture ${capture.version}${session ? `, session ${session.path}` : ", no session"})`,
  });
  const outcome = await superviseWorkload({
    argv: capture.command(spec.command),
    // deviation: upstream scrubs loader variables and pins LC_ALL=C whenever the kernel is
    // captured (§2.3); the measured run is the asked-for run unless --upstream-env-scrub.
    env: buildChildEnv(io.env, spec.env, { scrub: spec.upstreamEnvScrub }),
    session,
    scratchDir: scratch.path,
    timeoutMs: spec.timeoutMs,
    killGraceMs: spec.killGraceMs,
    interrupted: io.interrupted,
    stdoutToStderr: io.workloadStdoutToStderr ?? false,
    ...(capture.watchWorkload && { watchWorkload: capture.watchWorkload.bind(capture) }),
  });
  return { ...armed, startedLine, clock, prepareMs, outcome, workloadMs: performance.now() - clock };
}
