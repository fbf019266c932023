import { describe, expect, test } from "bun:test";
import {
  buildStatement,
  MAX_STATEMENT_BYTES,
  monitoredProcessOf,
  readArchiveFacts,
  RUNTIME_TRACE_V01,
  RUNTIME_TRACE_V02,
  StatementSchema,
  RuntimeTracePredicateSchema,
} from "../../src/attest/index.ts";
import * as v from "valibot";
import { tempDir, upstreamFixtures } from "../harness.ts";
import { writeKernelArchive, type Observation } from "./_kernel-archive.ts";
import { join } from "node:path";

const OPTIONS = { predicateType: RUNTIME_TRACE_V01, toolVersion: "9.9.9", monitoredProcess: monitoredProcessOf({}, "host-a", "run_attest") } as const;

describe("buildStatement", () => {
  test("names the archive file and its manifest as subjects, by their digests", async () => {
    using dir = tempDir("attest");
    const path = await writeKernelArchive(dir.path, [{ kind: "open", path: "/etc/hosts" }]);
    const facts = await readArchiveFacts(path);
    const { statement } = buildStatement(facts, OPTIONS);
    const fileDigest = new Bun.CryptoHasher("sha256").update(await Bun.file(path).bytes()).digest("hex");
    const manifest = (await import("../../src/evidence/index.ts")).verifyArchive(path);
    expect(statement.subject).toEqual([
      { name: "run_attest.tar.gz", digest: { sha256: fileDigest }, mediaType: "application/gzip" },
      {
        name: "manifest.json",
        digest: { sha256: (await manifest).manifestDigest!.replace("sha256:", "") },
        annotations: { archive: "run_attest.tar.gz", runId: "run_attest" },
      },
    ]);
    expect(v.safeParse(StatementSchema, statement).success).toBe(true);
    expect(v.safeParse(RuntimeTracePredicateSchema, statement.predicate).success).toBe(true);
  });

  test("gives identical bytes for the same archive twice, and differs only in predicateType for v0.2", async () => {
    using dir = tempDir("attest");
    const path = await writeKernelArchive(dir.path, sampleObservations(300));
    const first = buildStatement(await readArchiveFacts(path), OPTIONS).bytes;
    const second = buildStatement(await readArchiveFacts(path), OPTIONS).bytes;
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const v02 = new TextDecoder().decode(buildStatement(await readArchiveFacts(path), { ...OPTIONS, predicateType: RUNTIME_TRACE_V02 }).bytes);
    expect(v02).toBe(new TextDecoder().decode(first).replace(RUNTIME_TRACE_V01, RUNTIME_TRACE_V02));
  });

  test("keeps a 100k-path archive's statement under the 1 MB bound, with counts and a pointer to the full log", async () => {
    using dir = tempDir("attest");
    const observations: Observation[] = [];
    for (let i = 0; i < 100_000; i++) observations.push({ kind: "open", path: `/work/tree/d${i % 977}/file-${i}.txt`, write: i % 10 === 0 });
    observations.push({ kind: "connect", endpoint: "140.82.112.3:443" }, { kind: "exec", path: "/usr/bin/git" });
    const path = await writeKernelArchive(dir.path, observations);
    const facts = await readArchiveFacts(path);
    const { bytes, statement } = buildStatement(facts, OPTIONS);
    console.info(`100k-path statement: ${bytes.length} bytes (bound ${MAX_STATEMENT_BYTES})`);
    expect(bytes.length).toBeLessThan(MAX_STATEMENT_BYTES);
    const log = statement.predicate.monitorLog as {
      fileAccess: { uri: string; annotations: { access: string[] } }[];
      assayRunnerSummary: Record<string, unknown>;
    };
    expect(log.assayRunnerSummary).toEqual({
      complete: false,
      process: { observed: 1, listed: 1 },
      network: { observed: 1, listed: 1 },
      fileAccess: { observed: 100_000, listed: log.fileAccess.length },
      kernelRows: 100_002,
      fullLog: {
        name: "layers/kernel.ndjson",
        digest: { sha256: facts.memberSha256.get("layers/kernel.ndjson")! },
        mediaType: "application/x-ndjson",
        annotations: { archive: "run_attest.tar.gz", archiveSha256: facts.archiveSha256 },
      },
    });
    // Written files come first (10 000 of them), in path order, up to the budget.
    const listed = log.fileAccess.length;
    console.info(`100k-path statement lists ${listed} of 100000 paths`);
    expect(listed).toBeGreaterThan(1000);
    expect(log.fileAccess.every((entry) => entry.annotations.access.includes("write"))).toBe(listed <= 10_000);
    const uris = log.fileAccess.slice(0, Math.min(listed, 10_000)).map((entry) => entry.uri);
    expect(uris).toEqual([...uris].sort());
  });

  test("describes an upstream archive: unrecorded backend with upstream's hooks, health gaps named", async () => {
    const path = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
    const { statement } = buildStatement(await readArchiveFacts(path), OPTIONS);
    const predicate = statement.predicate as Record<string, any>;
    expect(predicate.monitor).toEqual({
      type: "urn:assay-runner:monitor:9.9.9",
      tracePolicy: {
        captureBackend: "unrecorded",
        hooks: ["openat", "openat2", "connect", "sendto", "sendmsg"],
        hooksSource: "upstream_producer_default",
        scope: "cgroup_v2_session",
        redaction: { mode: "unrecorded" },
      },
    });
    expect(predicate.assayRunnerObservation.complete).toBe(false);
    expect(predicate.assayRunnerObservation.gaps).toEqual(["network_protocol_coverage=unknown"]);
    expect(predicate.monitorLog.network.map((entry: any) => entry.assayRunner.endpoint)).toEqual([
      "127.0.0.53:53",
      "162.159.140.245:0",
      "172.66.0.243:0",
      "162.159.140.245:443",
      "172.66.0.243:443",
    ]);
    expect(predicate.assayRunnerRun).toEqual({
      runId: "run_arm_a-openai_20260525T113813Z_1",
      manifestDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      exitCode: 0,
      signal: null,
      success: true,
      elapsedMs: 6917,
    });
  });

  test("refuses an archive that does not verify, naming the problem", async () => {
    using dir = tempDir("attest");
    const path = await writeKernelArchive(dir.path, [{ kind: "open", path: "/etc/hosts" }]);
    const bytes = await Bun.file(path).bytes();
    bytes[bytes.length - 9]! ^= 0xff;
    await Bun.write(path, bytes);
    expect(readArchiveFacts(path)).rejects.toThrow(/the archive does not verify, so it is not attested/);
  });
});

// --- helpers ---

function sampleObservations(n: number): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ kind: "open", path: `/srv/app/${i % 7}/f${i}`, write: i % 3 === 0, failed: i % 11 === 0 });
    if (i % 50 === 0) out.push({ kind: "connect", endpoint: `10.0.${i % 5}.1:${443 + (i % 3)}` }, { kind: "exec", path: `/usr/bin/tool${i % 4}` });
  }
  return out;
}
