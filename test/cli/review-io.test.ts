// openMembers keeps a member that arrives in one piece as a view of what the reader handed over:
// the bytes must still be each member's own once every member has been read.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openMembers } from "../../src/cli/_review-io.ts";
import { loadArchive } from "../../src/evidence/index.ts";
import { tempDir } from "../harness.ts";
import { writeShapeArchive } from "../review/_runs.ts";

const hex = (members: ReadonlyMap<string, Uint8Array>) =>
  [...members].map(([name, bytes]) => [name, new Bun.CryptoHasher("sha256").update(bytes).digest("hex")]).sort();

describe("openMembers", () => {
  test("gives every member's exact bytes, from a .tar.gz and from an extracted directory", async () => {
    using dir = tempDir("review-io");
    const archive = await writeShapeArchive(dir.path, {
      runId: "run_io",
      reads: ["/srv/a.txt", "/srv/b.txt"],
      writes: ["/w/c.txt"],
      execs: ["/bin/sh"],
      endpoints: ["127.0.0.1:9"],
    });
    const loaded = await loadArchive(archive);
    if (!loaded.ok) throw new Error("fixture archive did not load");
    const extracted = join(dir.path, "extracted");
    for (const [name, bytes] of loaded.value.members) {
      mkdirSync(join(extracted, name, ".."), { recursive: true });
      writeFileSync(join(extracted, name), bytes);
    }
    const expected = hex(loaded.value.members);
    expect(expected.length).toBeGreaterThan(3);
    expect(hex((await openMembers(archive)).members)).toEqual(expected);
    expect(hex((await openMembers(extracted)).members)).toEqual(expected);
  });
});
