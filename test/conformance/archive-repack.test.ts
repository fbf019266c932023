import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ArchiveWriter, loadArchive, MANIFESTED_MEMBERS, type ManifestedMemberName } from "../../src/evidence/index.ts";
import { tempDir, upstreamFixtures } from "../harness.ts";

const archivesDir = join(upstreamFixtures, "archives");
const runs = readdirSync(archivesDir).sort();

// Re-packing upstream's members with our writer must reproduce the normative bytes (§1.2, §1.5):
// the gunzipped tar stream and manifest.json, byte for byte.
describe("re-packing each real upstream archive with ArchiveWriter", () => {
  test("covers the four committed archives", () => {
    expect(runs.length).toBe(4);
  });

  for (const run of runs) {
    test(`${run}: gives a byte-identical tar stream and manifest`, async () => {
      const original = join(archivesDir, run, "archive.tar.gz");
      const loaded = await loadArchive(original);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const members = loaded.value.members;
      const manifest = JSON.parse(new TextDecoder().decode(members.get("manifest.json"))) as { run_id: string };
      using dir = tempDir("repack");
      const outputPath = join(dir.path, "repacked.tar.gz");
      let committed: Awaited<ReturnType<ArchiveWriter["commit"]>>;
      {
        await using writer = await ArchiveWriter.create({ outputPath, runId: manifest.run_id, spoolDir: dir.path });
        for (const name of MANIFESTED_MEMBERS) {
          const bytes = members.get(name) as Uint8Array;
          if (name.endsWith(".ndjson")) {
            // Append in uneven pieces (rows split anywhere) to exercise the spool's buffering.
            for (let at = 0; at < bytes.length; at += 777)
              writer.append(name as Extract<ManifestedMemberName, `${string}.ndjson`>, bytes.subarray(at, at + 777));
          } else {
            writer.set(name, bytes);
          }
        }
        committed = await writer.commit();
      }
      const ours = await Bun.file(outputPath).bytes();
      const theirs = await Bun.file(original).bytes();
      expect({
        header: [...ours.subarray(0, 10)],
        tar: Buffer.from(gunzipSync(ours)).equals(gunzipSync(theirs)),
        manifest: Buffer.from(committed.manifest).equals(members.get("manifest.json") as Uint8Array),
        leftovers: readdirSync(dir.path).sort(),
      }).toEqual({
        header: [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff],
        tar: true,
        manifest: true,
        leftovers: ["repacked.tar.gz"],
      });
    });
  }
});
