import { closeSync, existsSync, mkdtempSync, openSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import {
  armBackend,
  chooseBackend,
  deriveKernelHealth,
  noneBackend,
  normalizeKernelRecords,
  type ArmedCapture,
  type CaptureTarget,
  type KernelSummary,
} from "../capture/index.ts";
import { ArchiveWriter, canonicalJson, type CommittedArchive } from "../evidence/index.ts";
import type { CorrelationReport, PolicyEvent } from "../schema/index.ts";
import { CgroupSession, isWritable, LinuxHostError, locateCgroupHost, openCgroupSession, RunGuardian } from "../linux/index.ts";
import { buildCapabilitySurface, collectSurfaceSets } from "./capability-surface.ts";
import { DnsObserver } from "../egress/index.ts";
import { buildChildEnv } from "./child-env.ts";
import { dnsCaptureNote, withDnsRows } from "./dns-evidence.ts";
import { readEgressPolicy, startEgress } from "./egress-phase.ts";
import { buildCorrelationReport } from "./correlation.ts";
import { formatDuration } from "./duration.ts";
import { buildObservationHealth, type KernelHealthPart, type ObservationHealthDocument } from "./observation-health.ts";
import { prepareRedaction, sweepArchiveMembers, type PreparedRedaction } from "./redact-run.ts";
import { RunHostError, RunInputError, RunInterruptedError } from "./run-errors.ts";
import { runFinishedLine, runStartedLine, type WorkloadEnd } from "./run-events.ts";
import type { RunSpec } from "./run-spec.ts";
import { encodePolicyRow } from "./ingest-policy.ts";
import { encodeSdkRow } from "./ingest-sdk.ts";
import { readLayerLogs, type LayerLogs } from "./layer-logs.ts";
import { superviseWorkload, type Interruption } from "./workload.ts";

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
 * Performs one measured run (§3): session, capture, workload, teardown, policy then SDK layer,
 * correlation, health, redaction and the fail-closed sweep, then the atomic archive write.
 * Throws RunInputError (exit 2, no archive) or RunHostError/LinuxHostError (exit 40, nothing run).
 */
export async function executeRun(spec: RunSpec, io: RunIo): Promise<RunResult> {
  const t0 = performance.now();
  if (io.platform !== "linux") {
    throw new RunHostError("PLATFORM_UNSUPPORTED", `assay-runner run measures workloads on Linux only (this host is ${io.platform}); verify, inspect and diff work here`);
  }
  // The kernel's first cgroup migration after a quiet spell waits a grace period; paying it now
  // overlaps it with preparation instead of the workload's start (see CgroupSession.primeJoin).
  const primed = CgroupSession.primeJoin();
  const archivePath = resolve(spec.output);
  checkOutputWritable(archivePath);
  // A bad policy file is bad input: exit 2 before anything runs.
  const egressPolicy = spec.egress === undefined ? undefined : readEgressPolicy(spec.egress.file);
  const redaction = prepareRedaction(spec, io.env);

  const choice = await (io.chooseBackend ?? chooseBackend)(spec.capture);
  if (!choice.ok) throw new RunHostError("CAPTURE_UNAVAILABLE", `--capture ${spec.capture}: ${choice.reason}`);
  let backend = choice.backend;

  // If the runner itself is killed (SIGKILL, OOM), the guardian removes what it leaves behind.
  await using guardian = RunGuardian.start();
  await using scratch = scratchDirectory();
  guardian?.guardDirectory(scratch.path);
  guardian?.guardPartialFiles(dirname(archivePath), ArchiveWriter.temporaryPrefix(archivePath));
  // An explicitly requested kernel backend needs the session (exit 40 without one); auto degrades.
  const sessionRequired = backend.name !== "none" && spec.capture !== "auto";
  await using session = openSession(spec, sessionRequired, io);
  if (session) guardian?.guardSession(session.path);
  if (!session && backend.name !== "none") {
    io.onProgress?.({ level: "warn", message: `--capture auto: ${backend.name} needs a cgroup v2 session; capturing nothing (contract-only)` });
    backend = noneBackend;
  }
  const target: CaptureTarget | undefined = session ? { cgroupPath: session.path, cgroupId: session.id, scratchDir: scratch.path } : undefined;
  if (backend.name !== "none") io.onProgress?.({ level: "info", message: `arming ${backend.name} capture on ${session?.path ?? ""}` });
  // auto falls back (ptrace, then none) when the chosen backend cannot be armed; explicit requests exit 40 here.
  const arming = await armBackend(backend, session ? choice.rest : [], target);
  await using armed: ArmedCapture = arming.armed;
  for (const helper of armed.helpers) guardian?.guardProcess(helper.pid, helper.comm);
  const captureFallbacks = arming.fallbacks.map((reason) => `capture_fallback: --capture auto could not arm ${reason}; measured with ${arming.armed.version}`);
  for (const note of captureFallbacks) io.onProgress?.({ level: "warn", message: note });
  const kernelCapture = armed.backend !== "none";
  // Spooled in the scratch directory, so what the guardian removes covers it.
  await using writer = await ArchiveWriter.create({ outputPath: archivePath, runId: spec.runId, spoolDir: scratch.path });

  // The egress policy is held in the kernel before the workload starts, on the session only.
  if (spec.egress !== undefined && session === undefined) throw new RunHostError("SESSION_REQUIRED", "--egress needs a cgroup v2 session (root, or a delegated cgroup v2 subtree)");
  await using egress = spec.egress !== undefined && egressPolicy !== undefined && session !== undefined ? await startEgress(spec.egress, egressPolicy, session.path) : undefined;

  // Arming a kernel backend takes seconds; a stop request meanwhile must not start the workload.
  const early = await Promise.race([io.interrupted, Promise.resolve(undefined)]);
  if (early !== undefined) throw new RunInterruptedError(early);

  const startedLine = runStartedLine({ runId: spec.runId, agentShim: spec.agentShim, command: spec.command, env: spec.env });
  const clock = performance.now();
  const prepareMs = clock - t0;
  io.onProgress?.({ level: "info", message: `running ${spec.command.join(" ")} (capture ${armed.version}${session ? `, session ${session.path}` : ", no session"})` });
  const outcome = await superviseWorkload({
    argv: armed.command(spec.command),
    // deviation: upstream scrubs loader variables and pins LC_ALL=C whenever the kernel is
    // captured (§2.3); the measured run is the asked-for run unless --upstream-env-scrub.
    env: buildChildEnv(io.env, spec.env, { scrub: spec.upstreamEnvScrub }),
    session,
    scratchDir: scratch.path,
    timeoutMs: spec.timeoutMs,
    killGraceMs: spec.killGraceMs,
    interrupted: io.interrupted,
    stdoutToStderr: io.workloadStdoutToStderr ?? false,
    ...(armed.watchWorkload && { watchWorkload: armed.watchWorkload.bind(armed) }),
  });
  const workloadMs = performance.now() - clock;

  io.onProgress?.({ level: "info", message: "collecting kernel rows, policy and SDK layers" });
  // Kernel layer: the capture stops once the session is empty, then rows stream into the spool.
  const captured = await armed.stop(spec.kernelDrainMs);
  let kernelSummary: KernelSummary | undefined;
  let kernelHealth: KernelHealthPart | undefined;
  const extraNotes: string[] = [];
  let dnsNote: string | undefined;
  if (kernelCapture) {
    // A backend that sees the session's DNS gives raw messages in its record stream; the observer
    // parses them (defensively) into DNS rows, in place.
    const observer = captured.dns === undefined ? undefined : new DnsObserver("capture");
    const captureRecords = observer === undefined ? captured.records : withDnsRows(captured.records, observer);
    const records = egress === undefined || session === undefined ? captureRecords : followedBy(captureRecords, egress.records(session.id));
    const dnsLines: string[] = [];
    // Each member is redacted as it is produced: no unredacted byte reaches the spool.
    kernelSummary = await normalizeKernelRecords(
      records,
      spec.runId,
      (line) => {
        const redacted = redaction.redactLine(line);
        if (observer !== undefined && redacted.includes('"kind":"dns_')) dnsLines.push(redacted);
        writer.append("layers/kernel.ndjson", redacted);
      },
      { keepAllOpens: spec.keepAllOpens },
    );
    if (observer !== undefined && captured.dns !== undefined) {
      // Packets the kernel side could not deliver are names we did not read: counted with the unparseable.
      const counters = { ...observer.counters, unparseable: observer.counters.unparseable + captured.dns.dropped };
      dnsNote = dnsCaptureNote(dnsLines, [...kernelSummary.networkEndpoints], counters);
    }
    const cgroupCorrelation = captured.streamComplete ? "clean" : "partial";
    const derived = deriveKernelHealth({ loss: captured.loss, summary: kernelSummary, cgroupCorrelation, backend: armed.version });
    kernelHealth = { ...derived, cgroup_correlation: cgroupCorrelation };
    extraNotes.push(derived.backendNote, ...derived.scopeNotes);
    if (dnsNote !== undefined) extraNotes.push(dnsNote);
    if (egress !== undefined) extraNotes.push(...egress.notes);
  }
  extraNotes.push(...captureFallbacks);
  await session?.close();

  // Policy before SDK: the SDK cross-check reads the policy bindings (§3 phase 8).
  const logs = readLayerLogs(spec, outcome.interruption !== undefined);
  for (const warning of logs.warnings) extraNotes.push(warning);
  // The surface's tools and decisions come from the redacted rows, so `verify` derives the same
  // `decision:tool` values from the policy layer (a secret spanning the joined pair would not).
  const redactedPolicy = (logs.policy ?? []).map((event) => {
    const row = encodePolicyRow(event);
    const line = redaction.redactLine(row);
    writer.append("layers/policy.ndjson", line);
    return line === row ? event : (JSON.parse(line) as PolicyEvent);
  });
  for (const event of logs.sdk ?? []) writer.append("layers/sdk.ndjson", redaction.redactLine(encodeSdkRow(event)));
  const correlation = buildCorrelationReport({
    runId: spec.runId,
    policy: logs.policy ?? [],
    sdk: logs.sdk ?? [],
    kernelEventCount: kernelSummary?.rowCount ?? 0,
    sessionCgroupId: kernelCapture ? session?.id : undefined,
  });
  writer.append("events.ndjson", redaction.redactLine(startedLine));
  writer.append("events.ndjson", redaction.redactLine(runFinishedLine({ runId: spec.runId, end: outcome.end, elapsedMs: performance.now() - clock })));
  extraNotes.push(...runnerNotes(spec, outcome.interruption, outcome.descendantsKilled));
  const collectMs = performance.now() - clock - workloadMs;

  const archiveStart = performance.now();
  io.onProgress?.({ level: "info", message: `redacting and writing ${archivePath}` });
  const { health, committed } = await finishArchive(writer, {
    spec,
    redaction,
    sets: collectSurfaceSets({ kernel: kernelSummary, policy: redactedPolicy }),
    correlation,
    kernelHealth,
    logs,
    extraNotes,
    platform: io.platform,
    inspectScratch: io.inspectScratch ? () => io.inspectScratch?.(scratch.path) : undefined,
  });
  const archiveMs = performance.now() - archiveStart;
  await primed;
  return {
    runId: spec.runId,
    archivePath: committed.outputPath,
    manifestDigest: committed.manifestDigest,
    exitCode: exitCodeOf(outcome.end, outcome.interruption),
    workload: outcome.end,
    interruption: outcome.interruption,
    captureBackend: armed.version,
    sessionCgroupId: session?.id,
    health,
    correlation,
    timings: {
      prepare_ms: round(prepareMs),
      workload_ms: round(workloadMs),
      collect_ms: round(collectMs),
      archive_ms: round(archiveMs),
      total_ms: round(performance.now() - t0),
    },
  };
}

/** The runner's exit code for a workload end (ARCHITECTURE "Exit codes of run"). */
export function exitCodeOf(end: WorkloadEnd, interruption: Interruption | undefined): number {
  if (interruption?.kind === "timeout") return 124;
  if (interruption?.kind === "signal") return 128 + (interruption.signal === "SIGINT" ? 2 : 15);
  if (end.exitCode !== null) return end.exitCode;
  if (end.signal !== null) return 128 + end.signal;
  return 1;
}

/** The notes we add after upstream's: what the runner did beyond upstream (ARCHITECTURE "Deliberate improvements"). */
export function runnerNotes(spec: Pick<RunSpec, "killGraceMs">, interruption: Interruption | undefined, descendantsKilled: boolean): string[] {
  const notes: string[] = [];
  if (interruption?.kind === "timeout") {
    notes.push(`run_timeout: --timeout ${formatDuration(interruption.afterMs)} fired; the session got SIGTERM, then cgroup.kill after kill_grace=${formatDuration(spec.killGraceMs)}`);
  } else if (interruption?.kind === "signal") {
    notes.push(`runner_signal: ${interruption.signal} received; the session got SIGTERM, then cgroup.kill after kill_grace=${formatDuration(spec.killGraceMs)}`);
  }
  if (descendantsKilled) {
    notes.push(`session_teardown: processes outlived the workload by kill_grace=${formatDuration(spec.killGraceMs)} and were killed with cgroup.kill`);
  }
  return notes;
}

// --- internal ---

interface ArchiveParts {
  readonly spec: RunSpec;
  readonly redaction: PreparedRedaction;
  readonly sets: ReturnType<typeof collectSurfaceSets>;
  readonly correlation: CorrelationReport;
  readonly kernelHealth: KernelHealthPart | undefined;
  readonly logs: LayerLogs;
  readonly extraNotes: readonly string[];
  readonly platform: string;
  readonly inspectScratch: (() => void | Promise<void>) | undefined;
}

async function finishArchive(writer: ArchiveWriter, parts: ArchiveParts): Promise<{ health: ObservationHealthDocument; committed: CommittedArchive }> {
  const { spec, redaction } = parts;
  // The NDJSON members were redacted row by row as they were appended; the surface, our notes and
  // the correlation report are redacted here, in memory, before they are written (§3.1).
  // deviation: upstream rewrites neither notes nor the correlation report, and only sweeps them.
  const surfaceSets = redaction.redactSurface(parts.sets);
  const extraNotes = parts.extraNotes.map((note) => redaction.redactText("notes", note));
  const correlation = redaction.redactLine(canonicalJson(parts.correlation));
  const health = buildObservationHealth({
    runId: spec.runId,
    platform: parts.platform,
    kernel: parts.kernelHealth,
    policyEvents: parts.logs.policy?.length,
    sdk: parts.logs.sdk ? { events: parts.logs.sdk.length, toolCalls: distinctToolCalls(parts.logs.sdk) } : undefined,
    redaction: redaction.block(),
    extraNotes,
  });
  writer.set("capability-surface.json", canonicalJson(buildCapabilitySurface(spec.runId, surfaceSets)));
  writer.set("correlation-report.json", correlation);
  writer.set("observation-health.json", canonicalJson(health));
  await sweepArchiveMembers(writer, redaction);
  await parts.inspectScratch?.();
  return { health, committed: await writer.commit() };
}

function distinctToolCalls(events: ReadonlyArray<{ readonly tool_call_id: string | null }>): number {
  return new Set(events.flatMap((e) => (e.tool_call_id === null ? [] : [e.tool_call_id]))).size;
}

function openSession(spec: RunSpec, required: boolean, io: RunIo): CgroupSession | undefined {
  const host = locateCgroupHost(spec.cgroupParent);
  if (!host.ok) {
    if (required || spec.cgroupParent !== undefined) throw new RunHostError("SESSION_REQUIRED", `no cgroup v2 session possible: ${host.reason}`);
    io.onProgress?.({ level: "warn", message: `running without a cgroup session (${host.reason}); descendants the workload leaves behind cannot be collected` });
    return undefined;
  }
  try {
    return openCgroupSession({ runId: spec.runId, parent: host.parent });
  } catch (error) {
    if (required || spec.cgroupParent !== undefined || !(error instanceof LinuxHostError)) throw error;
    const reason = error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
    io.onProgress?.({ level: "warn", message: `running without a cgroup session (${reason})` });
    return undefined;
  }
}

function checkOutputWritable(archivePath: string): void {
  const dir = dirname(archivePath);
  if (existsSync(archivePath) && !isWritable(archivePath)) {
    throw new RunInputError("OUTPUT_UNWRITABLE", `cannot write the archive ${archivePath}: the existing file is not writable; nothing was run`, archivePath);
  }
  // Probing with a real file catches what access(2) misses for root: read-only mounts, full disks of inodes.
  const probe = join(dir, `.${basename(archivePath)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, "wx", 0o600));
    unlinkSync(probe);
  } catch (error) {
    throw new RunInputError(
      "OUTPUT_UNWRITABLE",
      `cannot write the archive into ${dir}; nothing was run`,
      archivePath,
      { cause: error },
    );
  }
}

function scratchDirectory(): { readonly path: string } & AsyncDisposable {
  const path = mkdtempSync(join(tmpdir(), "assay-run-"));
  return { path, [Symbol.asyncDispose]: async () => rmSync(path, { recursive: true, force: true }) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

async function* followedBy<T>(first: AsyncIterable<T>, then: Iterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* then;
}
