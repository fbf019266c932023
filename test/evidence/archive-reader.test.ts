import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { constants, deflateRawSync } from "node:zlib";
import { loadArchive, readArchive, type ReadLimits } from "../../src/evidence/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";
import { gz, tarOf, type TarEntry } from "./_tar.ts";

const realArchive = join(upstreamFixtures, "archives", "run_arm_a-openai_20260525T113813Z_1", "archive.tar.gz");

async function codesOf(path: string, limits?: ReadLimits): Promise<{ codes: string[]; members: string[] }> {
  const outcome = await readArchive(path, () => undefined, limits);
  return { codes: outcome.issues.map((i) => i.code), members: outcome.issues.flatMap((i) => (i.member === undefined ? [] : [i.member])) };
}

function write(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("readArchive rejects hostile archives cleanly", () => {
  test("a truncated gzip stream", async () => {
    using dir = tempDir("hostile");
    const bytes = await Bun.file(realArchive).bytes();
    expect(await codesOf(write(dir.path, "cut.tar.gz", bytes.subarray(0, Math.floor(bytes.length / 2))))).toEqual({ codes: ["GZIP_TRUNCATED"], members: [] });
  });

  test("a tar stream cut inside a member, though the gzip is whole", async () => {
    using dir = tempDir("hostile");
    const tar = tarOf([{ name: "events.ndjson", data: "x".repeat(2000) }], { end: false }).subarray(0, 1500);
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)))).toEqual({ codes: ["TAR_TRUNCATED"], members: ["events.ndjson"] });
  });

  test("a bad tar header checksum", async () => {
    using dir = tempDir("hostile");
    const tar = tarOf([
      { name: "manifest.json", data: "{}" },
      { name: "events.ndjson", data: "", checksumDelta: 1 },
    ]);
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)))).toEqual({ codes: ["TAR_BAD_CHECKSUM"], members: [] });
  });

  test("'../' and absolute member names", async () => {
    using dir = tempDir("hostile");
    const tar = tarOf([
      { name: "../escape.json", data: "{}" },
      { name: "/etc/cron.d/x", data: "y" },
      { name: "layers/../../x", data: "" },
    ]);
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)))).toEqual({
      codes: ["MEMBER_NAME_UNSAFE", "MEMBER_NAME_UNSAFE", "MEMBER_NAME_UNSAFE"],
      members: ["../escape.json", "/etc/cron.d/x", "layers/../../x"],
    });
  });

  test("symlink, hard link, directory, pax and GNU long-name members", async () => {
    using dir = tempDir("hostile");
    const entries: TarEntry[] = [
      { name: "manifest.json", type: "2" },
      { name: "events.ndjson", type: "1" },
      { name: "layers/", type: "5" },
      { name: "PaxHeader", type: "x", data: "30 path=manifest.json\n" },
      { name: "././@LongLink", type: "L", data: "a".repeat(200) },
    ];
    const { codes, members } = await codesOf(write(dir.path, "a.tar.gz", gz(tarOf(entries))));
    expect({ codes, members }).toEqual({
      codes: Array(5).fill("MEMBER_NOT_REGULAR_FILE"),
      members: ["manifest.json", "events.ndjson", "layers/", "PaxHeader", "././@LongLink"],
    });
  });

  test("duplicate members", async () => {
    using dir = tempDir("hostile");
    const tar = tarOf([
      { name: "manifest.json", data: "{}" },
      { name: "manifest.json", data: "{}" },
    ]);
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)))).toEqual({ codes: ["MEMBER_DUPLICATE"], members: ["manifest.json"] });
  });

  test("a member declaring more than the per-member limit, stopped at its header", async () => {
    using dir = tempDir("hostile");
    // 5 GiB declared, no data: the default 3 GiB member limit must stop the read at the header.
    const tar = tarOf([{ name: "layers/kernel.ndjson", declaredSize: 5 * 2 ** 30 }], { end: false });
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)))).toEqual({ codes: ["MEMBER_TOO_LARGE"], members: ["layers/kernel.ndjson"] });
  });

  test("more data than the total limit, stopped by the limit (gzip bomb within member limits)", async () => {
    using dir = tempDir("hostile");
    const tar = tarOf([{ name: "layers/kernel.ndjson", data: new Uint8Array(8 * 2 ** 20) }]);
    const limits = { maxMembers: 64, maxMemberBytes: 2 ** 30, maxTotalBytes: 2 ** 20 };
    expect(await codesOf(write(dir.path, "a.tar.gz", gz(tar)), limits)).toEqual({ codes: ["ARCHIVE_TOO_LARGE"], members: [] });
  });

  test("a gzip bomb of 2 GiB of zeros, rejected fast and in bounded memory", async () => {
    using dir = tempDir("hostile");
    // Built without compressing 2 GiB: after a full flush deflate restarts, so 1 MiB of zeros
    // compresses to the same segment every time; 2048 copies inflate to 2 GiB.
    const segment = deflateRawSync(new Uint8Array(2 ** 20), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
    const finalBlock = deflateRawSync(new Uint8Array(0));
    const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff);
    const parts = [header, ...Array<Uint8Array>(2048).fill(segment), finalBlock, new Uint8Array(8)];
    const path = write(dir.path, "bomb.tar.gz", Buffer.concat(parts));
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const result = await codesOf(path);
    const elapsed = performance.now() - started;
    const grown = process.memoryUsage().rss - rssBefore;
    expect({ result, fast: elapsed < 5000, bounded: grown < 64 * 2 ** 20 }).toEqual({
      result: { codes: ["TRAILING_DATA"], members: [] },
      fast: true,
      bounded: true,
    });
  });

  test("garbage after the gzip trailer", async () => {
    using dir = tempDir("hostile");
    const bytes = await Bun.file(realArchive).bytes();
    expect(await codesOf(write(dir.path, "a.tar.gz", Buffer.concat([bytes, Buffer.from("garbage")])))).toEqual({ codes: ["TRAILING_DATA"], members: [] });
  });

  test("a file that is not gzip at all", async () => {
    using dir = tempDir("hostile");
    expect(await codesOf(write(dir.path, "a.tar.gz", tarOf([])))).toEqual({ codes: ["GZIP_INVALID"], members: [] });
  });

  test("a symlink inside an extracted directory, which is never followed", async () => {
    using dir = tempDir("hostile", { "manifest.json": "{}" });
    mkdirSync(join(dir.path, "layers"));
    symlinkSync("/etc/passwd", join(dir.path, "layers", "kernel.ndjson"));
    expect(await codesOf(dir.path)).toEqual({ codes: ["MEMBER_NOT_REGULAR_FILE"], members: ["layers/kernel.ndjson"] });
  });
});

describe("loadArchive", () => {
  test("returns the exact member bytes of a real archive", async () => {
    const loaded = await loadArchive(realArchive);
    if (!loaded.ok) throw new Error("unreadable");
    const manifest = loaded.value.members.get("manifest.json") as Uint8Array;
    expect({ kind: loaded.value.kind, names: [...loaded.value.members.keys()], manifestBytes: manifest.length }).toEqual({
      kind: "tar.gz",
      names: [
        "manifest.json",
        "capability-surface.json",
        "correlation-report.json",
        "events.ndjson",
        "layers/kernel.ndjson",
        "layers/policy.ndjson",
        "layers/sdk.ndjson",
        "observation-health.json",
      ],
      manifestBytes: 1151,
    });
  });

  test("fails with the reader's issues on a hostile archive", async () => {
    using dir = tempDir("hostile");
    const loaded = await loadArchive(write(dir.path, "a.tar.gz", gz(tarOf([{ name: "../x", data: "" }]))));
    expect(loaded.ok ? [] : loaded.issues.map((i) => i.code)).toEqual(["MEMBER_NAME_UNSAFE"]);
  });

  test("skipNonRegular passes over directory entries and links but still fails on unsafe names", async () => {
    using dir = tempDir("lenient");
    const packed = write(
      dir.path,
      "a.tar.gz",
      gz(
        tarOf([
          { name: "manifest.json", data: "{}" },
          { name: "layers/", type: "5" },
          { name: "layers/sdk.ndjson", data: "x" },
        ]),
      ),
    );
    const strict = await loadArchive(packed);
    const lenient = await loadArchive(packed, undefined, { skipNonRegular: true });
    const unsafe = await loadArchive(
      write(
        dir.path,
        "b.tar.gz",
        gz(
          tarOf([
            { name: "layers/", type: "5" },
            { name: "../x", data: "" },
          ]),
        ),
      ),
      undefined,
      { skipNonRegular: true },
    );
    expect({
      strict: strict.ok ? [] : strict.issues.map((i) => i.code),
      lenient: lenient.ok ? [...lenient.value.members.keys()] : lenient.issues.map((i) => i.code),
      unsafe: unsafe.ok ? [] : unsafe.issues.map((i) => i.code),
    }).toEqual({ strict: ["MEMBER_NOT_REGULAR_FILE"], lenient: ["manifest.json", "layers/sdk.ndjson"], unsafe: ["MEMBER_NAME_UNSAFE"] });
  });

  test("an extracted directory with members missing and extra files loads as it is", async () => {
    using dir = tempDir("partial", { "manifest.json": "{}", "capability-surface.json": "{}", "notes.txt": "hand-written" });
    const loaded = await loadArchive(dir.path);
    expect(loaded.ok ? [...loaded.value.members.keys()] : loaded.issues.map((i) => i.code)).toEqual(["manifest.json", "capability-surface.json", "notes.txt"]);
  });
});

describe("readArchive on tiny archives (Bun's inflate, not node:zlib)", () => {
  const readAll = async (path: string, inMemoryBytes?: number) => {
    const members: [string, string][] = [];
    const outcome = await readArchive(
      path,
      (name) => {
        const hasher = new Bun.CryptoHasher("sha256");
        return { write: (chunk) => void hasher.update(chunk), end: () => void members.push([name, hasher.digest("hex")]) };
      },
      undefined,
      inMemoryBytes === undefined ? {} : { inMemoryBytes },
    );
    return { issues: outcome.issues, members };
  };

  test("reads a real archive as the streaming path does", async () => {
    // An in-memory size of 0 sends every archive down the streaming path.
    expect(await readAll(realArchive)).toEqual(await readAll(realArchive, 0));
    expect((await readAll(realArchive)).members.length).toBe(8);
  });

  test("a copy of the gzip trailer after the trailer is still trailing data", async () => {
    using dir = tempDir("tiny");
    const bytes = await Bun.file(realArchive).bytes();
    const path = write(dir.path, "a.tar.gz", Buffer.concat([bytes, bytes.subarray(-8)]));
    expect(await codesOf(path)).toEqual({ codes: ["TRAILING_DATA"], members: [] });
    expect(await readAll(path)).toEqual(await readAll(path, 0));
  });

  test("a stream cut anywhere reads as the streaming path reads it", async () => {
    using dir = tempDir("tiny");
    const bytes = await Bun.file(realArchive).bytes();
    const cuts = [];
    for (const at of [11, 100, bytes.length - 9, bytes.length - 8, bytes.length - 1]) {
      const path = write(dir.path, `cut-${at}.tar.gz`, bytes.subarray(0, at));
      cuts.push({ at, same: Bun.deepEquals(await readAll(path), await readAll(path, 0)) });
    }
    expect(cuts.every((cut) => cut.same)).toBe(true);
  });
});

describe("readArchive on large archives", () => {
  test("streams a member of an archive too large for the one-shot path, byte for byte", async () => {
    using dir = tempDir("large");
    const data = new Uint8Array(6 * 2 ** 20);
    let seed = 11;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    const path = write(dir.path, "a.tar.gz", gz(tarOf([{ name: "layers/kernel.ndjson", data }])));
    const hasher = new Bun.CryptoHasher("sha256");
    let size = 0;
    const outcome = await readArchive(path, (_name, declared) => {
      size = declared;
      return { write: (chunk) => void hasher.update(chunk), end: () => undefined };
    });
    expect({ issues: outcome.issues, size, sha256: hasher.digest("hex") }).toEqual({
      issues: [],
      size: data.length,
      sha256: new Bun.CryptoHasher("sha256").update(data).digest("hex"),
    });
  });
});

describe("readArchive with a raised in-memory size", () => {
  // 20 MiB of compressible rows: past the default one-shot size, within the raised one.
  const rows = new TextEncoder().encode(Array.from({ length: 200_000 }, (_, i) => `{"seq":${i},"value":"/srv/data/part${i % 977}.bin"}`).join("\n"));
  const readAll = async (path: string, inMemoryBytes?: number) => {
    const members = new Map<string, Uint8Array[]>();
    const outcome = await readArchive(
      path,
      (name) => {
        const chunks: Uint8Array[] = [];
        members.set(name, chunks);
        return { write: (chunk) => void chunks.push(chunk), end: () => undefined };
      },
      undefined,
      inMemoryBytes === undefined ? {} : { inMemoryBytes },
    );
    const digests = [...members].map(([name, chunks]) => [
      name,
      chunks.length,
      Buffer.concat(chunks).length,
      new Bun.CryptoHasher("sha256").update(Buffer.concat(chunks)).digest("hex"),
    ]);
    return { codes: outcome.issues.map((i) => i.code), digests };
  };

  test("gives the same member bytes as the streaming read, each member in one view", async () => {
    using dir = tempDir("in-memory");
    const path = write(
      dir.path,
      "a.tar.gz",
      gz(
        tarOf([
          { name: "manifest.json", data: "{}" },
          { name: "layers/kernel.ndjson", data: rows },
        ]),
      ),
    );
    const streamed = await readAll(path);
    const inMemory = await readAll(path, 64 * 2 ** 20);
    expect(inMemory.codes).toEqual([]);
    expect(inMemory.digests.map(([name, , length, digest]) => [name, length, digest])).toEqual(
      streamed.digests.map(([name, , length, digest]) => [name, length, digest]),
    );
    expect(inMemory.digests.map(([name, pieces]) => [name, pieces])).toEqual([
      ["manifest.json", 1],
      ["layers/kernel.ndjson", 1],
    ]);
  });

  test("a trailer that lies about the size is reported as before, whatever the size says", async () => {
    using dir = tempDir("in-memory");
    const bytes = Buffer.from(gz(tarOf([{ name: "layers/kernel.ndjson", data: rows }])));
    for (const lie of [100, rows.length * 2]) {
      const forged = Buffer.from(bytes);
      forged.writeUInt32LE(lie, forged.length - 4);
      const path = write(dir.path, `lie-${lie}.tar.gz`, forged);
      expect({ lie, codes: (await readAll(path, 64 * 2 ** 20)).codes }).toEqual({ lie, codes: (await readAll(path)).codes });
      expect((await readAll(path, 64 * 2 ** 20)).codes).toEqual(["GZIP_CORRUPT"]);
    }
  });
});

describe("readArchive on hostile directories", () => {
  test("refuses a directory with more entries than the member limit before reading any", async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 300; i++) tree[`junk/${i}.txt`] = "x";
    using dir = tempDir("many", tree);
    expect(await codesOf(dir.path)).toEqual({ codes: ["TOO_MANY_MEMBERS"], members: [] });
  });
});
