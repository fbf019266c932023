// Spec §2.5 / §4.1: each real archive's raw SDK log, ingested with its run id, must give that
// archive's `layers/sdk.ndjson` byte for byte (reordered fields, nulls filled in).
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeSdkLayer, ingestSdkLog } from "../../src/run/ingest-sdk.ts";
import { skipReason, tempDir, upstreamFixtures } from "../harness.ts";

const archives = join(upstreamFixtures, "archives");
const runs = existsSync(archives) ? readdirSync(archives).sort() : [];

describe("SDK ingest over upstream's real archives", () => {
  test.skipIf(skipReason(runs.length === 0, `no upstream archives at ${archives}`))("there are four archives to check", () => {
    expect(runs.length).toEqual(4);
  });

  for (const run of runs) {
    test(`ingesting ${run}/sdk-events.ndjson reproduces its layers/sdk.ndjson byte for byte`, async () => {
      using dir = tempDir("sdk-ingest");
      const tar = Bun.spawn(["tar", "-xzf", join(archives, run, "archive.tar.gz"), "-C", dir.path, "layers/sdk.ndjson"], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stderr, exitCode] = await Promise.all([new Response(tar.stderr).text(), tar.exited]);
      expect({ stderr, exitCode }).toEqual({ stderr: "", exitCode: 0 });
      const expected = readFileSync(join(dir.path, "layers/sdk.ndjson"));
      const raw = readFileSync(join(archives, run, "sdk-events.ndjson"), "utf8");
      const result = ingestSdkLog(raw, "sdk-events.ndjson", run);
      if (!result.ok) throw new Error(result.issues[0].message);
      expect(Buffer.from(encodeSdkLayer(result.value)).toString("utf8")).toEqual(expected.toString("utf8"));
      expect(Buffer.compare(Buffer.from(encodeSdkLayer(result.value)), expected)).toEqual(0);
    });
  }
});
