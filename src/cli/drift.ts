import * as v from "valibot";
import {
  openSide,
  buildDriftReport,
  coverageAnnotationForReport,
  DEFAULT_PROVIDER_HOSTS,
  DriftArchiveError,
  evaluateClaims,
  observeArchive,
  parseClaimAssertion,
  parseDriftProjectionRules,
  renderDriftMarkdown,
  renderPythonJson,
  type ArchiveObservation,
} from "../compare/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { repeatedFlag, reportClaims } from "./_compare-io.ts";
import { checkOutputFile, writeOutputFile } from "./_output-file.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";
import { UsageError } from "./errors.ts";

export default cliCommand(
  {
    meta: COMMAND_META.drift,
    args: {
      a: { type: "positional", required: false, description: "Arm A: archive .tar.gz or extracted directory (shown in the report as given)", valueHint: "A" },
      b: { type: "positional", required: false, description: "Arm B: archive .tar.gz or extracted directory", valueHint: "B" },
      "archive-a": { type: "string", description: "Arm A, as upstream's --archive-a (instead of the first positional)", valueHint: "ARCHIVE" },
      "archive-b": { type: "string", description: "Arm B, as upstream's --archive-b (instead of the second positional)", valueHint: "ARCHIVE" },
      "out-json": { type: "string", description: "Write the JSON report here (default: stdout)", valueHint: "FILE" },
      json: { type: "boolean", description: "The JSON report is the output (on stdout, or in --out-json); no claim lines on stderr" },
      "out-md": { type: "string", description: "Also write the Markdown report here", valueHint: "FILE" },
      "coverage-annotation-out": {
        type: "string",
        description: "Also write the coverage annotation sidecar (assay.coverage_aware_drift.annotation.v0) here",
        valueHint: "FILE",
      },
      "assert-claim": {
        type: "string",
        description: "Assert a coverage claim TYPE:DIMENSION (positive|exhaustive|bounded_negative); exit 1 if blocked. Repeatable",
        valueHint: "TYPE:DIM",
      },
      "fixture-path": { type: "string", description: "Mark a raw path as a workload fixture (task-induced). Repeatable", valueHint: "PATH" },
      "path-alias": { type: "string", description: "Declare an exact path projection RAW=PROJECTED. Repeatable", valueHint: "RAW=PROJECTED" },
      "network-alias": {
        type: "string",
        description: "Declare an exact endpoint projection ENDPOINT=CLASS, e.g. 127.0.0.53:53=dns. Repeatable",
        valueHint: "EP=CLASS",
      },
      "network-host": {
        type: "string",
        description:
          "Declare a host-suffix projection SUFFIX=CLASS, matched against endpoint names from DNS rows (longest suffix wins, after aliases and CIDRs). Repeatable",
        valueHint: "SUFFIX=CLASS",
      },
      "network-cidr": {
        type: "string",
        description: "Declare a CIDR projection CIDR=CLASS, e.g. 34.120.0.0/14=provider_api (first declared wins). Repeatable",
        valueHint: "CIDR=CLASS",
      },
      "provider-host": {
        type: "string",
        description: `Add a provider host to the whitelist (defaults: ${DEFAULT_PROVIDER_HOSTS.join(", ")}). Repeatable`,
        valueHint: "HOST",
      },
      "assay-version": { type: "string", description: "Assay version that produced the report", valueHint: "VERSION" },
      "assay-commit": { type: "string", description: "Capture commit: the revision that produced the input archives", valueHint: "SHA" },
      "comparator-commit": { type: "string", description: "Render commit: the revision whose comparator produced this report", valueHint: "SHA" },
      "rendered-at": { type: "string", description: "UTC render timestamp, RFC 3339", valueHint: "TIME" },
      "render-kind": { type: "string", description: "live_capture | re_render | synthetic_fixture | unspecified (default)", valueHint: "KIND" },
      "source-run-url": { type: "string", description: "Workflow run URL of the source captures", valueHint: "URL" },
      "raw-captures-unchanged": {
        type: "boolean",
        description: "Declare that rendering did not touch the inputs (--no-raw-captures-unchanged: it did; omit: unknown)",
      },
      "workflow-url": { type: "string", description: "Workflow run URL of this render", valueHint: "URL" },
      "runner-label": { type: "string", description: "Runner label or host class", valueHint: "LABEL" },
      "kernel-os": { type: "string", description: "Kernel OS of the capture host", valueHint: "OS" },
      "kernel-release": { type: "string", description: "Kernel release of the capture host", valueHint: "RELEASE" },
      "kernel-arch": { type: "string", description: "Kernel architecture of the capture host", valueHint: "ARCH" },
      "ebpf-object-digest": { type: "string", description: "sha256 digest of the eBPF object used for capture", valueHint: "DIGEST" },
    },
    run: ({ args, rawArgs }) => driftCommand(parseArgsWith(DriftArgsSchema, args), rawArgs),
  },
  {
    synopsis: "[OPTIONS] A B",
    examples: [
      "assay-runner drift runs/a/archive.tar.gz runs/b/archive.tar.gz \\",
      "  --fixture-path /work/a/input.txt --path-alias /work/a/input.txt=workdir/input \\",
      "  --network-alias 127.0.0.53:53=dns --out-json drift.json --out-md drift.md",
    ],
  },
);

// --- internal ---

const optionalString = v.optional(v.string());
const DriftArgsSchema = v.looseObject({
  a: optionalString,
  b: optionalString,
  archiveA: optionalString,
  archiveB: optionalString,
  outJson: optionalString,
  json: v.optional(v.boolean()),
  outMd: optionalString,
  coverageAnnotationOut: optionalString,
  // Kebab key, so a bad value is reported as --render-kind.
  "render-kind": v.optional(
    v.picklist(["live_capture", "re_render", "synthetic_fixture", "unspecified"], "expected live_capture, re_render, synthetic_fixture or unspecified"),
  ),
  rawCapturesUnchanged: v.optional(v.boolean()),
  assayVersion: optionalString,
  assayCommit: optionalString,
  comparatorCommit: optionalString,
  renderedAt: optionalString,
  sourceRunUrl: optionalString,
  workflowUrl: optionalString,
  runnerLabel: optionalString,
  kernelOs: optionalString,
  kernelRelease: optionalString,
  kernelArch: optionalString,
  ebpfObjectDigest: optionalString,
});

type DriftArgs = v.InferOutput<typeof DriftArgsSchema>;

async function driftCommand(args: DriftArgs, rawArgs: readonly string[]): Promise<number> {
  const pathA = args.archiveA ?? args.a;
  const pathB = args.archiveB ?? (args.archiveA === undefined ? args.b : args.a);
  if (pathA === undefined || pathB === undefined) throw new UsageError("MISSING_ARGUMENT", "drift needs two archives: assay-runner drift <a> <b>");
  // Archives first, as upstream: an unreadable archive (3) wins over bad configuration (2).
  const a = await observe(pathA);
  const b = await observe(pathB);
  checkOutputFile("--out-json", args.outJson);
  checkOutputFile("--out-md", args.outMd);
  checkOutputFile("--coverage-annotation-out", args.coverageAnnotationOut);
  const rules = parseDriftProjectionRules({
    pathAliases: repeatedFlag(rawArgs, "path-alias"),
    networkAliases: repeatedFlag(rawArgs, "network-alias"),
    networkCidrs: repeatedFlag(rawArgs, "network-cidr"),
    networkHosts: repeatedFlag(rawArgs, "network-host"),
  });
  const assertions = repeatedFlag(rawArgs, "assert-claim").map(parseClaimAssertion);
  const report = buildDriftReport(a, b, {
    fixturePaths: repeatedFlag(rawArgs, "fixture-path"),
    providerHosts: [...DEFAULT_PROVIDER_HOSTS, ...repeatedFlag(rawArgs, "provider-host")],
    rules,
    provenance: {
      assayVersion: args.assayVersion,
      assayCommit: args.assayCommit,
      comparatorCommit: args.comparatorCommit,
      renderedAt: args.renderedAt,
      renderKind: args["render-kind"],
      sourceRunUrl: args.sourceRunUrl,
      rawCapturesUnchanged: args.rawCapturesUnchanged,
      workflowUrl: args.workflowUrl,
      runnerLabel: args.runnerLabel,
      kernelOs: args.kernelOs,
      kernelRelease: args.kernelRelease,
      kernelArch: args.kernelArch,
      ebpfObjectDigest: args.ebpfObjectDigest,
    },
  });
  const json = renderPythonJson(report);
  if (args.outJson !== undefined) writeOutputFile("--out-json", args.outJson, json);
  else writeStdout(json);
  if (args.outMd !== undefined) writeOutputFile("--out-md", args.outMd, renderDriftMarkdown(report));
  if (args.coverageAnnotationOut === undefined && assertions.length === 0) return 0;
  const annotation = coverageAnnotationForReport(report, { a: a.observationHealth, b: b.observationHealth });
  if (args.coverageAnnotationOut !== undefined) writeOutputFile("--coverage-annotation-out", args.coverageAnnotationOut, renderPythonJson(annotation));
  return reportClaims(evaluateClaims(annotation, assertions), args.json === true);
}

async function observe(path: string): Promise<ArchiveObservation> {
  const side = await openSide(path, "drift");
  const observed = observeArchive(path, side.member, sha256Hex);
  if (!observed.ok) throw new DriftArchiveError(`bad archive: ${observed.issues[0].message}`);
  return observed.value;
}

function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
