import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ArchiveWriteError, ArchiveWriter, ArchiveWriterStateError, canonicalJson, verifyArchive } from "../../src/evidence/index.ts";
import { host, mountTmpfs, skipReason, tempDir } from "../harness.ts";

// Member bytes of upstream's `RunnerSpikeArchive::empty("run_001", "linux")` (spec §4.5).
const EMPTY_SURFACE =
  '{"schema":"assay.runner.capability_surface.v0","run_id":"run_001","filesystem_paths":[],"network_endpoints":[],"process_execs":[],"mcp_tools":[],"policy_decisions":[]}';
const EMPTY_CORRELATION = '{"schema":"assay.runner.correlation_report.v0","run_id":"run_001","status":"clean","bindings":[],"ambiguities":[]}';
const EMPTY_HEALTH =
  '{"schema":"assay.runner.observation_health.v0","run_id":"run_001","platform":"linux","kernel_layer":"absent","ringbuf_drops":0,"policy_layer":"absent","sdk_layer":"absent","cgroup_correlation":"partial","network_protocol_coverage":"absent","network_endpoint_claim_scope":"not_applicable","notes":[]}';

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

function setEmptyMembers(writer: ArchiveWriter): void {
  writer.set("capability-surface.json", EMPTY_SURFACE);
  writer.set("correlation-report.json", EMPTY_CORRELATION);
  writer.set("observation-health.json", EMPTY_HEALTH);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts).toString("utf8");
}

describe("ArchiveWriter", () => {
  test("reproduces upstream's empty archive for run_001: tar and manifest sha256 (§4.5)", async () => {
    using dir = tempDir("writer");
    const outputPath = join(dir.path, "empty.tar.gz");
    await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
    setEmptyMembers(writer);
    const committed = await writer.commit();
    const gz = await Bun.file(outputPath).bytes();
    const tar = gunzipSync(gz);
    expect({
      header: Buffer.from(gz.subarray(0, 10)).toString("hex"),
      tarBytes: tar.length,
      tarSha256: sha256(tar),
      manifestBytes: committed.manifest.length,
      manifestSha256: sha256(committed.manifest),
      manifestDigest: committed.manifestDigest,
      reportedTarBytes: committed.tarBytes,
      files: readdirSync(dir.path),
    }).toEqual({
      header: "1f8b08000000000002ff",
      tarBytes: 8192,
      tarSha256: "3446d7a5e4e5b0f933f32142fd68d4ebdda6b1faf80b06d0d035215e58f89b3b",
      manifestBytes: 1114,
      manifestSha256: "18a9f796ab471dd944514e0cce89aede64633d25c6017ac0c677efd9e19015b1",
      manifestDigest: "sha256:18a9f796ab471dd944514e0cce89aede64633d25c6017ac0c677efd9e19015b1",
      reportedTarBytes: 8192,
      files: ["empty.tar.gz"],
    });
  });

  test("hashes appended rows as it spools them and streams back the exact bytes", async () => {
    using dir = tempDir("writer");
    await using writer = await ArchiveWriter.create({ outputPath: join(dir.path, "a.tar.gz"), runId: "run_001", spoolDir: dir.path });
    const rows = Array.from(
      { length: 5000 },
      (_, seq) => `${canonicalJson({ schema: "assay.runner.kernel_event.v0", run_id: "run_001", seq, value: `/tmp/é/${seq}` })}\n`,
    );
    for (const row of rows) writer.append("layers/kernel.ndjson", row);
    const expected = rows.join("");
    const kernel = writer.members().find((m) => m.name === "layers/kernel.ndjson");
    expect({ kernel, read: await collect(writer.readSpooled("layers/kernel.ndjson")) }).toEqual({
      kernel: { name: "layers/kernel.ndjson", bytes: Buffer.byteLength(expected), sha256: `sha256:${sha256(Buffer.from(expected))}` },
      read: expected,
    });
  });

  test("replaceFrom rewrites a member from a stream of its own old bytes", async () => {
    using dir = tempDir("writer");
    await using writer = await ArchiveWriter.create({ outputPath: join(dir.path, "a.tar.gz"), runId: "run_001", spoolDir: dir.path });
    writer.append("events.ndjson", "secret-1\nplain\n");
    const old = writer.readSpooled("events.ndjson");
    await writer.replaceFrom(
      "events.ndjson",
      (async function* () {
        for await (const chunk of old) yield Buffer.from(chunk).toString("utf8").replaceAll("secret-1", "<redacted>");
      })(),
    );
    expect(await collect(writer.readSpooled("events.ndjson"))).toBe("<redacted>\nplain\n");
  });

  test("writes an archive that verifyArchive reads back member for member", async () => {
    using dir = tempDir("writer");
    const outputPath = join(dir.path, "a.tar.gz");
    let manifestBytes: number;
    {
      await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
      setEmptyMembers(writer);
      writer.append("layers/sdk.ndjson", "x".repeat(3 * 2 ** 20));
      manifestBytes = (await writer.commit()).manifest.length;
    }
    const report = await verifyArchive(outputPath);
    expect(report.members.map((m) => [m.name, m.bytes])).toEqual([
      ["manifest.json", manifestBytes],
      ["capability-surface.json", 167],
      ["correlation-report.json", 114],
      ["events.ndjson", 0],
      ["layers/kernel.ndjson", 0],
      ["layers/policy.ndjson", 0],
      ["layers/sdk.ndjson", 3 * 2 ** 20],
      ["observation-health.json", 299],
    ]);
  });

  describe("refuses to write what upstream's writer refuses (§1.6)", () => {
    const cases: [string, (w: ArchiveWriter) => void, RegExp][] = [
      ["a JSON member never set", (w) => w.set("capability-surface.json", EMPTY_SURFACE), /correlation-report.json was never set/],
      [
        "a run id that differs from the archive's",
        (w) => (setEmptyMembers(w), w.set("correlation-report.json", EMPTY_CORRELATION.replace("run_001", "run_002"))),
        /RUN_ID|run_id differs/,
      ],
      [
        "cgroup correlation failed",
        (w) => (setEmptyMembers(w), w.set("observation-health.json", EMPTY_HEALTH.replace('"partial"', '"failed"'))),
        /cgroup_correlation/,
      ],
      [
        "ring-buffer drops without a partial kernel layer",
        (w) => (setEmptyMembers(w), w.set("observation-health.json", EMPTY_HEALTH.replace('"ringbuf_drops":0', '"ringbuf_drops":3'))),
        /ringbuf_drops/,
      ],
      // The same per-member schema rules verify applies, so the writer never commits what verify rejects.
      [
        "a surface list out of UTF-8 order",
        (w) => (setEmptyMembers(w), w.set("capability-surface.json", EMPTY_SURFACE.replace('"filesystem_paths":[]', '"filesystem_paths":["/b","/a"]'))),
        /filesystem_paths/,
      ],
      ["a member that is not JSON", (w) => (setEmptyMembers(w), w.set("correlation-report.json", "{not json")), /correlation-report.json is not JSON/],
    ];
    for (const [name, prepare, message] of cases) {
      test(`such as ${name}, leaving no file behind`, async () => {
        using dir = tempDir("writer");
        const outputPath = join(dir.path, "a.tar.gz");
        {
          await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
          prepare(writer);
          const error = await writer.commit().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ArchiveWriterStateError);
          expect((error as Error).message).toMatch(message);
        }
        expect(readdirSync(dir.path)).toEqual([]);
      });
    }
  });

  test("rejects an unsafe run id before creating anything", async () => {
    using dir = tempDir("writer");
    const error = await ArchiveWriter.create({ outputPath: join(dir.path, "a.tar.gz"), runId: "run:1", spoolDir: dir.path }).catch((e: unknown) => e);
    expect({ error: error instanceof ArchiveWriterStateError, files: readdirSync(dir.path) }).toEqual({ error: true, files: [] });
  });

  test("refuses appends after commit", async () => {
    using dir = tempDir("writer");
    await using writer = await ArchiveWriter.create({ outputPath: join(dir.path, "a.tar.gz"), runId: "run_001", spoolDir: dir.path });
    setEmptyMembers(writer);
    await writer.commit();
    expect(() => writer.append("events.ndjson", "{}\n")).toThrow(ArchiveWriterStateError);
  });

  test("disposal without commit removes the spool and writes no archive", async () => {
    using dir = tempDir("writer");
    {
      await using writer = await ArchiveWriter.create({ outputPath: join(dir.path, "a.tar.gz"), runId: "run_001", spoolDir: dir.path });
      writer.append("layers/kernel.ndjson", "y".repeat(2 * 2 ** 20));
      expect(readdirSync(dir.path).length).toBe(1);
    }
    expect(readdirSync(dir.path)).toEqual([]);
  });

  test("disposal during a commit stops it and leaves nothing that looks like an archive", async () => {
    using dir = tempDir("writer");
    const outputPath = join(dir.path, "a.tar.gz");
    {
      await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
      setEmptyMembers(writer);
      // Incompressible-ish rows make the commit take long enough to be interrupted.
      let seed = 1;
      for (let i = 0; i < 200_000; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        writer.append("layers/sdk.ndjson", `${seed.toString(36)}${i}\n`);
      }
      const commit = writer.commit().catch((e: unknown) => e);
      await writer[Symbol.asyncDispose]();
      const outcome = await commit;
      expect(outcome).toBeInstanceOf(ArchiveWriteError);
    }
    expect(readdirSync(dir.path)).toEqual([]);
  });

  for (const [name, makePath, cause] of [
    ["a path under a regular file", (d: string) => (Bun.write(join(d, "plain-file"), "x"), join(d, "plain-file", "a.tar.gz")), /ENOTDIR/],
    ["a missing directory", (d: string) => join(d, "missing", "a.tar.gz"), /ENOENT/],
  ] as const) {
    test(`an unwritable destination (${name}) fails with ArchiveWriteError naming path and cause, leaving nothing`, async () => {
      using dir = tempDir("writer");
      const outputPath = makePath(dir.path);
      const before = readdirSync(dir.path).sort();
      {
        await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
        setEmptyMembers(writer);
        const error = (await writer.commit().catch((e: unknown) => e)) as ArchiveWriteError;
        expect({
          isWriteError: error instanceof ArchiveWriteError,
          code: error.code,
          exitCode: error.exitCode,
          file: error.file,
          cause: cause.test(error.message),
          path: error.message.includes(outputPath),
        }).toEqual({
          isWriteError: true,
          code: "ARCHIVE_UNWRITABLE",
          exitCode: 2,
          file: outputPath,
          cause: true,
          path: true,
        });
      }
      expect(readdirSync(dir.path).sort()).toEqual(before);
    });
  }

  test.skipIf(skipReason(host.isRoot, "permission-denied test cannot fail as root (root ignores directory modes)"))(
    "a read-only directory fails with EACCES and leaves nothing",
    async () => {
      using dir = tempDir("writer");
      const locked = join(dir.path, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      try {
        await using writer = await ArchiveWriter.create({ outputPath: join(locked, "a.tar.gz"), runId: "run_001", spoolDir: dir.path });
        setEmptyMembers(writer);
        const error = (await writer.commit().catch((e: unknown) => e)) as Error;
        expect({ isWriteError: error instanceof ArchiveWriteError, eacces: /EACCES/.test(error.message), left: readdirSync(locked) }).toEqual({
          isWriteError: true,
          eacces: true,
          left: [],
        });
      } finally {
        chmodSync(locked, 0o700);
      }
    },
  );

  test.skipIf(skipReason(!host.isRoot || !host.isLinux, "tmpfs full-disk test needs root on Linux"))(
    "a full disk (64 KiB tmpfs) fails with ENOSPC and leaves no partial archive",
    async () => {
      using dir = tempDir("writer");
      const small = join(dir.path, "small");
      using _tmpfs = mountTmpfs(small, "size=64k");
      const outputPath = join(small, "a.tar.gz");
      await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: dir.path });
      setEmptyMembers(writer);
      let seed = 7;
      for (let i = 0; i < 20_000; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        writer.append("layers/kernel.ndjson", `${seed.toString(16)}${(seed * 31).toString(36)}\n`);
      }
      const error = (await writer.commit().catch((e: unknown) => e)) as ArchiveWriteError;
      expect({ isWriteError: error instanceof ArchiveWriteError, enospc: /ENOSPC/.test(error.message), left: readdirSync(small) }).toEqual({
        isWriteError: true,
        enospc: true,
        left: [],
      });
    },
  );

  test.skipIf(skipReason(!host.isRoot || !host.isLinux, "tmpfs full-disk test needs root on Linux"))(
    "a full spool disk fails the append with ArchiveWriteError, and disposal still cleans up",
    async () => {
      using dir = tempDir("writer");
      const small = join(dir.path, "small");
      using _tmpfs = mountTmpfs(small, "size=64k");
      const outputPath = join(dir.path, "a.tar.gz");
      {
        await using writer = await ArchiveWriter.create({ outputPath, runId: "run_001", spoolDir: small });
        let error: unknown;
        try {
          for (let i = 0; i < 100; i++) writer.append("layers/kernel.ndjson", new Uint8Array(64 * 1024).fill(0x61));
        } catch (caught) {
          error = caught;
        }
        expect({ isWriteError: error instanceof ArchiveWriteError, enospc: /ENOSPC/.test(String(error)), names: (error as ArchiveWriteError).file }).toEqual({
          isWriteError: true,
          enospc: true,
          names: outputPath,
        });
      }
      expect({ spool: readdirSync(small), output: readdirSync(dir.path).sort() }).toEqual({ spool: [], output: ["small"] });
    },
  );
});
