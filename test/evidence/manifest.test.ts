import { describe, expect, test } from "bun:test";
import { buildManifestJson } from "../../src/evidence/manifest.ts";

const EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("buildManifestJson", () => {
  test("orders files by UTF-8 bytes whatever the input order, with path, sha256, bytes in that order", () => {
    const text = buildManifestJson("run_001", [
      { path: "observation-health.json", sha256: EMPTY, bytes: 0 },
      { path: "layers/kernel.ndjson", sha256: EMPTY, bytes: 12 },
      { path: "capability-surface.json", sha256: EMPTY, bytes: 3 },
    ]);
    expect(text).toBe(
      `{"schema":"assay.runner.archive_manifest.v0","run_id":"run_001","files":{"capability-surface.json":{"path":"capability-surface.json","sha256":"${EMPTY}","bytes":3},"layers/kernel.ndjson":{"path":"layers/kernel.ndjson","sha256":"${EMPTY}","bytes":12},"observation-health.json":{"path":"observation-health.json","sha256":"${EMPTY}","bytes":0}}}`,
    );
  });
});
