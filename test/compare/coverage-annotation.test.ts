import { describe, expect, test } from "bun:test";
import {
  annotateDriftReport,
  AnnotationInputError,
  buildDriftReport,
  coverageAnnotationForReport,
  DEFAULT_PROVIDER_HOSTS,
  DriftConfigError,
  evaluateClaims,
  parseClaimAssertion,
  parseDriftProjectionRules,
  renderPythonJson,
} from "../../src/compare/index.ts";
import { arm } from "./_arms.ts";
import { fixtureJson, fixtureText } from "./_inputs.ts";

const clean = {
  schema: "assay.runner.observation_health.v0",
  run_id: "r",
  platform: "linux",
  kernel_layer: "complete",
  ringbuf_drops: 0,
  cgroup_correlation: "clean",
};

function report() {
  return buildDriftReport(
    arm("a", { filesystem_paths: ["/x"], network_endpoints: ["1.1.1.1:53"] }),
    arm("b", { filesystem_paths: ["/x"], network_endpoints: ["1.1.1.1:53"] }),
    {
      fixturePaths: [],
      providerHosts: [...DEFAULT_PROVIDER_HOSTS],
      rules: parseDriftProjectionRules({ pathAliases: [], networkAliases: [], networkCidrs: [] }),
      provenance: {},
    },
  );
}

describe("annotateDriftReport", () => {
  test("reproduces upstream's sample annotation with sorted keys, byte for byte", () => {
    expect(renderPythonJson(annotateDriftReport(fixtureJson("coverage-annotation/drift_report.json")), { sortKeys: true })).toBe(
      fixtureText("coverage-annotation/expected_annotation.json"),
    );
  });

  test("rejects a document that is not a v0.2 drift report", () => {
    expect(() => annotateDriftReport({ schema: "assay.runner.runtime_drift.v0", rows: [] })).toThrow(AnnotationInputError);
  });
});

describe("coverageAnnotationForReport", () => {
  const strengths = (a: unknown, b: unknown) =>
    coverageAnnotationForReport(report(), { a, b })
      .claim_cells.filter((c) => String(c.claim_type).startsWith("measured_"))
      .map((c) => [c.claim_type, c.claim_strength, c.artifact_role]);

  test("gives strong positive cells when both arms are clean, absent when an arm has no kernel surface, partial when health is missing", () => {
    expect([strengths(clean, clean)[0], strengths(clean, { ...clean, kernel_layer: "absent" })[0], strengths(clean, undefined)[0]]).toEqual([
      ["measured_filesystem_paths_touched_drift", "strong", "joined_artifacts"],
      ["measured_filesystem_paths_touched_drift", "absent", "none"],
      ["measured_filesystem_paths_touched_drift", "partial", "joined_artifacts"],
    ]);
  });

  test("picks the network descriptor only when both arms report datagram coverage", () => {
    const caveat = (ca: string | undefined, cb: string | undefined) =>
      coverageAnnotationForReport(report(), {
        a: { ...clean, network_protocol_coverage: ca },
        b: { ...clean, network_protocol_coverage: cb },
      }).classification_caveats.find((c) => c.dimension === "network_endpoints")?.caveat;
    expect([
      caveat("connect_and_datagram_peer_observed", "connect_and_datagram_peer_observed"),
      caveat("datagram_peer_observed", "connect_and_datagram_peer_observed"),
      caveat("connect_only", "datagram_peer_observed"),
      caveat(undefined, undefined),
    ]).toEqual([
      "full overlap of the observed surface; this is not proof the network effect sets are exhaustively equal, because network coverage is connect_and_datagram_peer_observed",
      "full overlap of the observed surface; this is not proof the network effect sets are exhaustively equal, because network coverage is datagram_peer_observed",
      "full overlap of the observed surface; this is not proof the network effect sets are exhaustively equal, because network coverage is connect_only",
      "full overlap of the observed surface; this is not proof the network effect sets are exhaustively equal, because network coverage is connect_only",
    ]);
  });

  test("blocks the bounded-negative claim of every measured row, empty ones included", () => {
    expect(coverageAnnotationForReport(report(), { a: clean, b: clean }).blocked_claims.map((b) => b.requested_claim)).toEqual([
      "no_filesystem_paths_touched_effect_beyond_observed",
      "no_kernel_file_operations_effect_beyond_observed",
      "no_network_endpoints_effect_beyond_observed",
      "no_process_execs_effect_beyond_observed",
    ]);
  });
});

describe("evaluateClaims", () => {
  test("permits positive on strong/partial cells, never a weak exhaustive or a bounded negative today", () => {
    const annotation = coverageAnnotationForReport(report(), { a: clean, b: clean });
    const claims = [
      "positive:network_endpoints",
      "positive:process_execs",
      "exhaustive:network_endpoints",
      "bounded_negative:network_endpoints",
      "bounded_negative:sdk_tool_events",
    ].map(parseClaimAssertion);
    expect(evaluateClaims(annotation, claims).map((r) => [r.claim, r.permitted])).toEqual([
      ["positive:network_endpoints", true],
      ["positive:process_execs", false],
      ["exhaustive:network_endpoints", false],
      ["bounded_negative:network_endpoints", false],
      ["bounded_negative:sdk_tool_events", false],
    ]);
  });

  test("rejects malformed specs and unknown types as configuration errors", () => {
    expect(
      ["positive", "guess:network_endpoints", "positive: "].map((spec) => {
        try {
          parseClaimAssertion(spec);
          return "accepted";
        } catch (error) {
          return error instanceof DriftConfigError ? error.exitCode : "other";
        }
      }),
    ).toEqual([2, 2, 2]);
  });
});
