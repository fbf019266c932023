import * as v from "valibot";
import {
  openSide,
  checkPolicyConsistency,
  CompareInputError,
  diffPartialReasons,
  KNOWN_RUNTIMES,
  parseSdkMetadata,
  projectCapabilityDiff,
  projectCrossRuntimeDiff,
  renderPythonJson,
  validateCrossRuntimeDiff,
  type EvidenceSet,
  endpointNamesOfKernel,
  type SdkMetadata,
} from "../compare/index.ts";
import { formatIssue, type Issue, type Result } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { logger } from "./_output.ts";
import { parseJsonText, readText } from "./_compare-io.ts";
import { UsageError } from "./errors.ts";
import { checkOutputFile, writeOutputFile } from "./_output-file.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.diff,
    args: {
      base: {
        type: "positional",
        required: false,
        description: "Base side: archive .tar.gz or extracted directory (omit when --base-* files are given)",
        valueHint: "BASE",
      },
      head: {
        type: "positional",
        required: false,
        description: "Head side: archive .tar.gz or extracted directory (omit when --head-* files are given)",
        valueHint: "HEAD",
      },
      output: { type: "string", description: "Write the diff here instead of stdout", valueHint: "FILE" },
      json: { type: "boolean", description: "Print only the diff document (on stdout, or in --output), no verdict lines on stderr" },
      "allow-partial": { type: "boolean", description: "Exit 0 even when the diff is partial (not clean)" },
      "base-health": { type: "string", description: "Base observation-health.json", valueHint: "FILE" },
      "base-surface": { type: "string", description: "Base capability-surface.json", valueHint: "FILE" },
      "base-correlation": { type: "string", description: "Base correlation-report.json", valueHint: "FILE" },
      "base-sdk": { type: "string", description: "Base layers/sdk.ndjson (cross-runtime SDK metadata)", valueHint: "FILE" },
      "head-health": { type: "string", description: "Head observation-health.json", valueHint: "FILE" },
      "head-surface": { type: "string", description: "Head capability-surface.json", valueHint: "FILE" },
      "head-correlation": { type: "string", description: "Head correlation-report.json", valueHint: "FILE" },
      "head-sdk": { type: "string", description: "Head layers/sdk.ndjson (cross-runtime SDK metadata)", valueHint: "FILE" },
      "cross-runtime": { type: "boolean", description: "Compare two different runtimes: work-dir prefixes canonicalized, SDK metadata as side band" },
      "base-runtime": { type: "string", description: `Base runtime (${KNOWN_RUNTIMES.join(" | ")}), with --cross-runtime`, valueHint: "RUNTIME" },
      "head-runtime": { type: "string", description: `Head runtime (${KNOWN_RUNTIMES.join(" | ")}), with --cross-runtime`, valueHint: "RUNTIME" },
      "base-work-dir": { type: "string", description: "Base work-dir prefix as declared by the producer: absolute, ending in /", valueHint: "PREFIX" },
      "head-work-dir": { type: "string", description: "Head work-dir prefix as declared by the producer: absolute, ending in /", valueHint: "PREFIX" },
    },
    run: ({ args }) => diffCommand(parseArgsWith(DiffArgsSchema, args)),
  },
  {
    synopsis: "[OPTIONS] BASE HEAD",
    examples: [
      "assay-runner diff base/archive.tar.gz head/archive.tar.gz --output diff.json",
      "assay-runner diff --base-health h.json --base-surface s.json --base-correlation c.json head-dir/",
      "assay-runner diff --cross-runtime base-dir/ head-dir/ --base-runtime s5_openai_agents \\",
      "  --head-runtime gemini_google_genai --base-work-dir /tmp/a/work/ --head-work-dir /tmp/b/work/",
    ],
  },
);

// --- internal ---

const optionalString = v.optional(v.string());
const DiffArgsSchema = v.looseObject({
  base: optionalString,
  head: optionalString,
  output: optionalString,
  json: v.optional(v.boolean()),
  allowPartial: v.optional(v.boolean()),
  baseHealth: optionalString,
  baseSurface: optionalString,
  baseCorrelation: optionalString,
  baseSdk: optionalString,
  headHealth: optionalString,
  headSurface: optionalString,
  headCorrelation: optionalString,
  headSdk: optionalString,
  crossRuntime: v.optional(v.boolean()),
  baseRuntime: optionalString,
  headRuntime: optionalString,
  baseWorkDir: optionalString,
  headWorkDir: optionalString,
});

type DiffArgs = v.InferOutput<typeof DiffArgsSchema>;

interface ExplicitFiles {
  readonly health: string | undefined;
  readonly surface: string | undefined;
  readonly correlation: string | undefined;
  readonly sdk: string | undefined;
}

interface LoadedSide extends EvidenceSet {
  readonly sdkText: (() => { text: string; file: string }) | undefined;
}

async function diffCommand(args: DiffArgs): Promise<number> {
  const crossRuntime = args.crossRuntime === true;
  const crossFlags = [args.baseRuntime, args.headRuntime, args.baseWorkDir, args.headWorkDir];
  if (!crossRuntime && crossFlags.some((f) => f !== undefined)) {
    throw new UsageError("BAD_ARGUMENT", "--base-runtime, --head-runtime, --base-work-dir and --head-work-dir need --cross-runtime");
  }
  const baseFiles = { health: args.baseHealth, surface: args.baseSurface, correlation: args.baseCorrelation, sdk: args.baseSdk };
  const headFiles = { health: args.headHealth, surface: args.headSurface, correlation: args.headCorrelation, sdk: args.headSdk };
  const positionals = [args.base, args.head].filter((p): p is string => p !== undefined);
  const baseExplicit = baseFiles.health !== undefined || baseFiles.surface !== undefined || baseFiles.correlation !== undefined;
  const headExplicit = headFiles.health !== undefined || headFiles.surface !== undefined || headFiles.correlation !== undefined;
  // Positionals fill the sides that have no explicit files, base first.
  const baseArchive = baseExplicit ? undefined : positionals.shift();
  const headArchive = headExplicit ? undefined : positionals.shift();
  if (positionals.length > 0)
    throw new UsageError("BAD_ARGUMENT", `unexpected argument ${positionals[0]}: each side is either an archive or --base-*/--head-* files, not both`);
  checkOutputFile("--output", args.output);
  const base = await loadSide("base", baseArchive, baseFiles, crossRuntime);
  const head = await loadSide("head", headArchive, headFiles, crossRuntime);
  const reasons = (): string[] => orThrow(diffPartialReasons(base, head));
  if (!crossRuntime) {
    const projected = projectCapabilityDiff(base, head);
    const diff = orThrow(projected.ok ? checkPolicyConsistency(projected.value, "<diff>") : projected);
    return finish(args, renderPythonJson(diff), diff.status, reasons);
  }
  for (const [flag, value] of [
    ["--base-runtime", args.baseRuntime],
    ["--head-runtime", args.headRuntime],
    ["--base-work-dir", args.baseWorkDir],
    ["--head-work-dir", args.headWorkDir],
  ] as const) {
    if (value === undefined) throw new UsageError("MISSING_ARGUMENT", `--cross-runtime requires ${flag}`);
  }
  const baseSdk = sdkOf(base, "base");
  const headSdk = sdkOf(head, "head");
  const diff = orThrow(
    projectCrossRuntimeDiff(
      {
        baseRuntime: args.baseRuntime ?? "",
        headRuntime: args.headRuntime ?? "",
        baseWorkDirPrefix: args.baseWorkDir ?? "",
        headWorkDirPrefix: args.headWorkDir ?? "",
      },
      { ...base, sdk: baseSdk },
      { ...head, sdk: headSdk },
    ),
  );
  orThrow(validateCrossRuntimeDiff(diff, "<diff>"));
  return finish(args, renderPythonJson(diff), diff.status, reasons);
}

function finish(args: DiffArgs, text: string, status: string, reasons: () => string[]): number {
  if (args.output !== undefined) {
    writeOutputFile("--output", args.output, text);
  } else writeStdout(text);
  if (status === "clean") return 0;
  if (args.json !== true) {
    // In plain words: the status value (partial:health …) is for machines, in the document.
    const why = reasons();
    const line = `the diff is partial, not clean: ${why.length > 0 ? why.join("; ") : "see the preconditions in the document"}`;
    if (args.allowPartial === true) logger.warn(`${line} (accepted: --allow-partial)`);
    else logger.error(`${line} (exit 1; --allow-partial accepts it)`);
  }
  return args.allowPartial === true ? 0 : 1;
}

function surfaceEndpoints(surface: unknown): string[] {
  const list = (surface as { network_endpoints?: unknown } | null)?.network_endpoints;
  return Array.isArray(list) ? list.filter((e): e is string => typeof e === "string") : [];
}

async function loadSide(label: "base" | "head", archive: string | undefined, files: ExplicitFiles, crossRuntime: boolean): Promise<LoadedSide> {
  if (archive !== undefined) {
    const side = await openSide(archive);
    const read = (name: string): { value: unknown; file: string } => {
      const file = side.where(name);
      const bytes = side.member(name);
      if (bytes === undefined) throw new CompareInputError(`${file}: missing (needed by diff)`, { file, member: name });
      return { value: parseJsonText(new TextDecoder().decode(bytes), file), file };
    };
    const health = read("observation-health.json");
    const surface = read("capability-surface.json");
    const correlation = read("correlation-report.json");
    const sdkFile = files.sdk;
    return {
      health: health.value,
      surface: surface.value,
      correlation: correlation.value,
      files: { health: health.file, surface: surface.file, correlation: correlation.file },
      names: endpointNamesOfKernel(side.member("layers/kernel.ndjson"), surfaceEndpoints(surface.value)),
      sdkText: !crossRuntime
        ? undefined
        : () => {
            if (sdkFile !== undefined) return { text: readText(sdkFile), file: sdkFile };
            const bytes = side.member("layers/sdk.ndjson");
            const file = side.where("layers/sdk.ndjson");
            if (bytes === undefined) throw new CompareInputError(`${file}: missing (the cross-runtime diff needs the SDK layer)`, { file });
            return { text: new TextDecoder().decode(bytes), file };
          },
    };
  }
  const missing = (["health", "surface", "correlation"] as const).filter((k) => files[k] === undefined);
  if (missing.length === 3)
    throw new UsageError("MISSING_ARGUMENT", `no ${label} side: give an archive or --${label}-health, --${label}-surface and --${label}-correlation`);
  if (missing.length > 0) throw new UsageError("MISSING_ARGUMENT", `${label} evidence is missing ${missing.map((k) => `--${label}-${k}`).join(", ")}`);
  const load = (file: string): unknown => parseJsonText(readText(file), file);
  const sdkFile = files.sdk;
  return {
    health: load(files.health as string),
    surface: load(files.surface as string),
    correlation: load(files.correlation as string),
    files: { health: files.health as string, surface: files.surface as string, correlation: files.correlation as string },
    sdkText: !crossRuntime
      ? undefined
      : () => {
          if (sdkFile === undefined) throw new UsageError("MISSING_ARGUMENT", `--cross-runtime with explicit ${label} files needs --${label}-sdk`);
          return { text: readText(sdkFile), file: sdkFile };
        },
  };
}

function sdkOf(side: LoadedSide, label: string): SdkMetadata {
  if (side.sdkText === undefined) throw new UsageError("MISSING_ARGUMENT", `no ${label} SDK layer`);
  const { text, file } = side.sdkText();
  return orThrow(parseSdkMetadata(text, file));
}

function orThrow<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const issue: Issue = result.issues[0];
  throw new CompareInputError(formatIssue(issue), { file: issue.file, member: issue.member, line: issue.line, field: issue.path });
}
