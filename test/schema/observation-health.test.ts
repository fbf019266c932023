import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import {
  checkHealthForArchive,
  checkObservationHealth,
  ObservationHealthRecordSchema,
  ObservationHealthSchema,
  validateDocument,
} from "../../src/schema/index.ts";
import { codesAndPaths, sample } from "./_documents.ts";

const check = (doc: unknown) => codesAndPaths(validateDocument(doc, { file: "observation-health.json" }));

function legacy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { network_protocol_coverage: _, network_endpoint_claim_scope: __, redaction: ___, ...doc } = sample("health");
  return { ...doc, ...overrides };
}

describe("ObservationHealthSchema", () => {
  test("accepts the current field set with a redaction block", () => {
    expect(check(sample("health"))).toEqual([]);
  });

  test("reads a legacy record without network fields as unknown/unknown, not absent", () => {
    const health = v.parse(ObservationHealthSchema, legacy());
    expect([health.network_protocol_coverage, health.network_endpoint_claim_scope]).toEqual(["unknown", "unknown"]);
    expect(health.redaction).toBeUndefined();
  });

  test("reads capture_origin: missing as own, unknown strings as unsupported (never own)", () => {
    expect(v.parse(ObservationHealthSchema, legacy()).capture_origin).toBe("own");
    expect(v.parse(ObservationHealthSchema, legacy({ capture_origin: "third_party" })).capture_origin).toBe("third_party");
    expect(v.parse(ObservationHealthSchema, legacy({ capture_origin: "weird" })).capture_origin).toBe("unsupported");
  });

  test("drops unknown keys, as upstream's reader does", () => {
    expect("extra" in v.parse(ObservationHealthSchema, legacy({ extra: 1 }))).toBe(false);
  });

  test("rejects ringbuf drops without partial_ringbuf_drops", () => {
    expect(check({ ...sample("health"), ringbuf_drops: 3 })).toEqual([{ code: "INVARIANT_VIOLATED", path: "kernel_layer" }]);
  });

  test("accepts partial_ringbuf_drops with zero drops (event-size mismatch)", () => {
    expect(check({ ...sample("health"), kernel_layer: "partial_ringbuf_drops" })).toEqual([]);
  });

  test("rejects kernel capture claimed on a non-Linux platform", () => {
    expect(check({ ...sample("health"), platform: "macos" })).toEqual([{ code: "INVARIANT_VIOLATED", path: "kernel_layer" }]);
    expect(check({ ...sample("health"), platform: "macos", kernel_layer: "absent" })).toEqual([]);
  });

  test("accepts cgroup_correlation failed as a document, but not for an archive", () => {
    const health = { ...sample("health"), cgroup_correlation: "failed" };
    expect(check(health)).toEqual([]);
    expect(
      checkHealthForArchive(v.parse(ObservationHealthSchema, health), { file: "a.tar.gz", member: "observation-health.json" }).map(({ code, path }) => ({
        code,
        path,
      })),
    ).toEqual([{ code: "INVARIANT_VIOLATED", path: "cgroup_correlation" }]);
    expect(checkHealthForArchive(v.parse(ObservationHealthSchema, sample("health")), { file: "a.tar.gz" })).toEqual([]);
  });

  test("rejects redaction tallies that do not add up to redacted_count", () => {
    const health = sample("health");
    const redaction = { ...(health.redaction as Record<string, unknown>), redacted_count: 5 };
    expect(check({ ...health, redaction })).toEqual([
      { code: "INVARIANT_VIOLATED", path: "redaction.by_rule" },
      { code: "INVARIANT_VIOLATED", path: "redaction.by_field" },
    ]);
  });

  test("accepts the disabled_unsafe redaction block upstream writes", () => {
    const redaction = { mode: "disabled_unsafe", redacted_count: 0, by_rule: {}, by_field: {}, key_scope: "ephemeral", key_id: "none" };
    expect(check({ ...sample("health"), redaction })).toEqual([]);
  });

  test("rejects an unknown kernel_layer value", () => {
    expect(check({ ...sample("health"), kernel_layer: "degraded" })).toEqual([{ code: "FIELD_INVALID", path: "kernel_layer" }]);
  });
});

describe("checkObservationHealth", () => {
  test("lists every broken validate() rule in upstream's order, with upstream's rule ids", () => {
    const record = v.parse(ObservationHealthRecordSchema, {
      ...sample("health"),
      schema: "assay.runner.observation_health.v_future",
      run_id: "",
      platform: "macos",
      ringbuf_drops: 2,
      cgroup_correlation: "failed",
    });
    expect(checkObservationHealth(record)).toEqual([
      { field: "schema", observed: "assay.runner.observation_health.v_future", rule: "observation_health_schema_must_match_source_schema" },
      { field: "run_id", observed: "", rule: "run_id_required_for_fidelity_verdict" },
      { field: "ringbuf_drops", observed: "2", rule: "ringbuf_drops_require_partial_kernel_layer" },
      { field: "kernel_layer", observed: "complete", rule: "non_linux_platform_requires_absent_kernel_layer" },
      { field: "cgroup_correlation", observed: "failed", rule: "failed_cgroup_correlation_blocks_runner_measured_claims" },
    ]);
  });

  test("finds nothing wrong with a valid record", () => {
    expect(checkObservationHealth(v.parse(ObservationHealthRecordSchema, sample("health")))).toEqual([]);
  });
});
