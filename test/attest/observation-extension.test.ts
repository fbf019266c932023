import { describe, expect, test } from "bun:test";
import { buildObservationExtension, MAX_NOTES, NOTE_MAX_CHARS } from "../../src/attest/index.ts";

describe("buildObservationExtension", () => {
  const clean = {
    schema: "assay.runner.observation_health.v0",
    run_id: "r",
    platform: "linux",
    kernel_layer: "complete",
    ringbuf_drops: 0,
    policy_layer: "absent",
    sdk_layer: "absent",
    cgroup_correlation: "clean",
    network_protocol_coverage: "connect_only",
    network_endpoint_claim_scope: "diagnostic_only",
    notes: [],
  };

  test("calls a clean capture complete", () => {
    expect(buildObservationExtension(clean)).toEqual({ complete: true, gaps: [], health: clean });
  });

  test("names every gap of a partial capture", () => {
    const partial = {
      ...clean,
      kernel_layer: "partial_ringbuf_drops",
      ringbuf_drops: 12n,
      cgroup_correlation: "partial",
      network_protocol_coverage: "unknown",
      capture_origin: "third_party",
    };
    expect(buildObservationExtension(partial).gaps).toEqual([
      "kernel_layer=partial_ringbuf_drops",
      "ringbuf_drops=12",
      "capture_origin=third_party",
      "cgroup_correlation=partial",
      "network_protocol_coverage=unknown",
    ]);
  });

  test("bounds the notes it copies, and says how many it left out", () => {
    const notes = Array.from({ length: MAX_NOTES + 5 }, (_, i) => (i === 0 ? "x".repeat(NOTE_MAX_CHARS + 10) : `note ${i}`));
    const copied = buildObservationExtension({ ...clean, notes }).health.notes as string[];
    expect(copied.length).toBe(MAX_NOTES + 1);
    expect(copied[0]).toBe(`${"x".repeat(NOTE_MAX_CHARS)}… [cut at ${NOTE_MAX_CHARS} of ${NOTE_MAX_CHARS + 10} characters]`);
    expect(copied.at(-1)).toBe("… 5 more notes in the archive's observation-health.json");
  });
});
