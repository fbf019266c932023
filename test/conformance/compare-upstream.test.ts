import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  buildDriftReport,
  coverageAnnotationForReport,
  DEFAULT_PROVIDER_HOSTS,
  observeArchive,
  openSide,
  parseDriftProjectionRules,
  renderDriftMarkdown,
  renderPythonJson,
  type ArchiveObservation,
} from "../../src/compare/index.ts";
import { upstreamFixtures } from "../harness.ts";
import { fixtureText } from "../compare/_inputs.ts";

// Library-level conformance over upstream's real archives; the binary runs are in test/e2e.

const DISPLAY = "docs/experiments/cross-runtime-drift-2026-05/runs";
const RUN_A = "run_arm_a-openai_20260525T113813Z_1";
const RUN_B = "run_arm_b-gemini_20260525T114112Z_1";
const WORK_A = `/opt/actions-runner/_work/assay/assay/arm-a-openai-runs/${RUN_A}/workdir`;
const WORK_B = `/opt/actions-runner/_work/assay/assay/arm-b-gemini-runs/${RUN_B}/workdir`;

async function observe(path: string, shownAs: string): Promise<ArchiveObservation> {
  const side = await openSide(path);
  const result = observeArchive(shownAs, side.member, (bytes) => createHash("sha256").update(bytes).digest("hex"));
  if (!result.ok) throw new Error(result.issues[0].message);
  return result.value;
}

// Archive reads are async; describe bodies are not, so the sides are opened up front.
const pair1 = {
  a: await observe(join(upstreamFixtures, "archives", RUN_A, "archive.tar.gz"), `${DISPLAY}/a0/${RUN_A}/archive.tar.gz`),
  b: await observe(join(upstreamFixtures, "archives", RUN_B, "archive.tar.gz"), `${DISPLAY}/b0/${RUN_B}/archive.tar.gz`),
};
const arms = join(upstreamFixtures, "hand-written-arms");
const handWritten = { a: await observe(join(arms, "arm-a-openai"), "arm-a-openai"), b: await observe(join(arms, "arm-b-gemini"), "arm-b-gemini") };

describe("runtime drift over upstream's live archives (V4, pair 1)", () => {
  const { a, b } = pair1;
  const report = buildDriftReport(a, b, {
    fixturePaths: [`${WORK_A}/fixture-input.txt`, `${WORK_A}/fixture-output.txt`, `${WORK_B}/fixture-input.txt`, `${WORK_B}/fixture-output.txt`],
    providerHosts: [...DEFAULT_PROVIDER_HOSTS],
    rules: parseDriftProjectionRules({
      pathAliases: [
        `${WORK_A}/fixture-input.txt=workdir/input`,
        `${WORK_A}/fixture-output.txt=workdir/output`,
        `${WORK_B}/fixture-input.txt=workdir/input`,
        `${WORK_B}/fixture-output.txt=workdir/output`,
      ],
      networkAliases: ["127.0.0.53:53=dns"],
      networkCidrs: [],
    }),
    provenance: {
      assayCommit: "e3f6ef9d",
      comparatorCommit: "2b8ab383",
      renderedAt: "2026-05-26T08:58:26Z",
      renderKind: "re_render",
      sourceRunUrl: "https://github.com/Rul1an/assay/actions/runs/26398427430",
      workflowUrl: "https://github.com/Rul1an/assay/actions/runs/26398427430",
      rawCapturesUnchanged: true,
      runnerLabel: "assay-bpf-runner",
    },
  });

  test("the JSON report equals drift_pair_1.json byte for byte", () => {
    expect(renderPythonJson(report)).toBe(fixtureText("drift/drift_pair_1.json"));
  });

  test("the Markdown report equals drift_pair_1.md byte for byte", () => {
    expect(renderDriftMarkdown(report)).toBe(fixtureText("drift/drift_pair_1.md"));
  });
});

describe("runtime drift over upstream's hand-written arms (V5)", () => {
  const { a, b } = handWritten;
  const report = buildDriftReport(a, b, {
    fixturePaths: ["/tmp/work/fixture-input.txt", "/tmp/work/fixture-output.txt"],
    providerHosts: [...DEFAULT_PROVIDER_HOSTS],
    rules: parseDriftProjectionRules({
      pathAliases: ["/tmp/work/fixture-input.txt=workdir/input", "/tmp/work/fixture-output.txt=workdir/output"],
      networkAliases: [],
      networkCidrs: [],
    }),
    provenance: {},
  });
  const rows = Object.fromEntries(report.rows.map((r) => [r.dimension, r]));

  test("gives the structural results upstream lists: labels, details, projections and manifest digests", () => {
    const fs = rows.filesystem_paths_touched?.projection as Record<string, any>;
    expect({
      summary: report.summary,
      digests: [a.manifestDigest, b.manifestDigest],
      labels: report.rows.map((r) => `${r.dimension}=${r.classification}`),
      fs: [rows.filesystem_paths_touched?.detail, fs.in_both, fs.unmatched_summary.a.count, fs.unmatched_summary.b.count],
      kernel: [rows.kernel_file_operations?.detail, (rows.kernel_file_operations?.projection as Record<string, unknown> | undefined)?.in_both],
      network: [rows.network_endpoints?.detail, (rows.network_endpoints?.projection as Record<string, unknown> | undefined)?.status],
    }).toEqual({
      summary: { dimensions_checked: 7, task_induced: 4, provider_induced: 1, runtime_induced: 1, inconclusive: 1 },
      digests: [
        "sha256:b9b86a99017a6a8f9f7a3e0277e4cec92b9828ea9f7afb2bce3c03a526401700",
        "sha256:0065c41e809814d265737a1f7422b2c94e397bc82873e4480f96daed668ddf20",
      ],
      labels: [
        "filesystem_paths_touched=runtime-induced",
        "kernel_file_operations=task-induced",
        "network_endpoints=provider-induced",
        "process_execs=task-induced",
        "sdk_tool_events=task-induced",
        "mcp_tool_surface=inconclusive",
        "tool_invocation_order=task-induced",
      ],
      fs: ["6 non-shared item(s); 0 fixture, 6 unclassified", ["workdir/input", "workdir/output"], 3, 3],
      kernel: ["full overlap", ["create:workdir/output", "read:workdir/input", "truncate:workdir/output", "write:workdir/output"]],
      network: ["all 3 non-shared item(s) match provider host whitelist", "not_applied"],
    });
  });

  test("the coverage annotation has 4 strong measured cells, 4 weak exhaustive cells, 2 reported cells and kernel/process caveats", () => {
    const annotation = coverageAnnotationForReport(report, { a: a.observationHealth, b: b.observationHealth });
    expect([
      annotation.claim_cells.map((c) => `${String(c.claim_type).split("_")[0]}:${c.claim_strength}`),
      annotation.classification_caveats.map((c) => c.dimension),
    ]).toEqual([
      [
        "measured:strong",
        "exhaustive:weak",
        "measured:strong",
        "exhaustive:weak",
        "measured:strong",
        "exhaustive:weak",
        "measured:strong",
        "exhaustive:weak",
        "reported:partial",
        "reported:partial",
      ],
      ["kernel_file_operations", "process_execs"],
    ]);
  });
});
