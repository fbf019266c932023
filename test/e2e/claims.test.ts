import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { host, runAssay, skipReason, upstreamFixtures } from "../harness.ts";

const REPORT = join(upstreamFixtures, "coverage-annotation/drift_report.json");
const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun run build)");

describe.skipIf(noBinary)("assay-runner claims", () => {
  test("reproduces the coverage annotation sample byte for byte", async () => {
    const outcome = await runAssay(["claims", REPORT]);
    expect(outcome).toEqual({ stdout: readFileSync(join(upstreamFixtures, "coverage-annotation/expected_annotation.json"), "utf8"), stderr: "", exitCode: 0 });
  });

  test("prints the 15-row claim-support table by default and the five descriptors on request", async () => {
    const table = await runAssay(["claims"]);
    const descriptors = await runAssay(["claims", "--descriptors"]);
    expect([table.exitCode, JSON.parse(table.stdout).rows.length, descriptors.exitCode, Object.keys(JSON.parse(descriptors.stdout))]).toEqual([
      0,
      15,
      0,
      [
        "filesystem_open_syscall_only",
        "network_connect_only",
        "network_datagram_peer_observed",
        "network_connect_and_datagram_peer_observed",
        "process_exec_only",
      ],
    ]);
  });

  test("gates asserted claims: the sample's partial positive passes, a weak exhaustive fails with exit 1", async () => {
    const pass = await runAssay(["claims", REPORT, "--assert-claim", "positive:network_endpoints"]);
    const blocked = await runAssay(["claims", REPORT, "--assert-claim", "exhaustive:network_endpoints"]);
    expect([pass.exitCode, blocked.exitCode, blocked.stderr.includes("exhaustive:network_endpoints blocked")]).toEqual([0, 1, true]);
  });

  test("a document that is not a v0.2 drift report exits 2", async () => {
    const outcome = await runAssay(["claims", join(upstreamFixtures, "golden/capability-diff-s5-idempotent-v0.json")]);
    expect([outcome.exitCode, outcome.stdout, outcome.stderr.includes("expected assay.runner.runtime_drift.v0.2 report")]).toEqual([2, "", true]);
  });

  test("an archive given where the drift report belongs exits 2 and says it is an archive", async () => {
    const archive = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
    const outcome = await runAssay(["claims", archive]);
    expect([outcome.exitCode, outcome.stdout, outcome.stderr]).toEqual([2, "", `[error] ${archive}: this is a gzip archive, not a JSON document\n`]);
  });
});
