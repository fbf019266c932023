// Deterministic large archives for the writer and verify benchmarks: the members of a real
// upstream archive, with its kernel layer repeated (seq renumbered, pids varied) up to a size.
import { closeSync, openSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { ArchiveWriter, loadArchive, MANIFESTED_MEMBERS, type ManifestedMemberName } from "../src/evidence/index.ts";

/** The real archive whose members shape the generated ones. */
export const templateArchive = resolve(import.meta.dir, "../test/fixtures/upstream/archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");

/** Members of the template archive. */
export async function templateMembers(): Promise<Map<string, Uint8Array>> {
  const loaded = await loadArchive(templateArchive);
  if (!loaded.ok) throw new Error(`cannot read ${templateArchive}`);
  return new Map(loaded.value.members);
}

/** Writes a kernel layer of at least `bytes` bytes (realistic rows, renumbered) to `path`; returns its row count. */
export async function writeKernelLayer(path: string, bytes: number): Promise<number> {
  const members = await templateMembers();
  const rows = new TextDecoder()
    .decode(members.get("layers/kernel.ndjson"))
    .split("\n")
    .filter((r) => r !== "");
  const fd = openSync(path, "w");
  let written = 0;
  let seq = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  try {
    while (written + pendingLength < bytes) {
      const row = rows[seq % rows.length] as string;
      const line = `${row.replace(/"seq":\d+/, `"seq":${seq}`).replace(/"pid":\d+/, `"pid":${200000 + (seq % 5000)}`)}\n`;
      pending.push(line);
      pendingLength += line.length;
      seq++;
      if (pendingLength >= 1 << 20) {
        const block = Buffer.from(pending.join(""));
        writeSync(fd, block);
        written += block.length;
        pending = [];
        pendingLength = 0;
      }
    }
    const block = Buffer.from(pending.join(""));
    writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return seq;
}

/** Writes the template archive with `kernelPath` as its kernel layer, appending in 64 KiB pieces as a run would. */
export async function writeArchiveWithKernel(kernelPath: string, outputPath: string, spoolDir: string): Promise<void> {
  const members = await templateMembers();
  const runId = (JSON.parse(new TextDecoder().decode(members.get("manifest.json"))) as { run_id: string }).run_id;
  await using writer = await ArchiveWriter.create({ outputPath, runId, spoolDir });
  for (const name of MANIFESTED_MEMBERS) {
    if (name === "layers/kernel.ndjson") continue;
    writer.set(name as ManifestedMemberName, members.get(name) as Uint8Array);
  }
  const stream = Bun.file(kernelPath).stream();
  for await (const chunk of stream) {
    for (let at = 0; at < chunk.length; at += 65536) writer.append("layers/kernel.ndjson", chunk.subarray(at, at + 65536));
  }
  await writer.commit();
}

/** Writes the template's members except the kernel layer as files under `dir` (for tar). */
export async function writeMemberFiles(dir: string, kernelPath: string): Promise<string[]> {
  const members = await templateMembers();
  const { mkdirSync, symlinkSync } = await import("node:fs");
  mkdirSync(join(dir, "layers"), { recursive: true });
  for (const [name, bytes] of members) if (name !== "layers/kernel.ndjson") await Bun.write(join(dir, name), bytes);
  symlinkSync(kernelPath, join(dir, "layers/kernel.ndjson"));
  return [...members.keys()];
}

// Child mode: `bun bench/_archive-fixture.ts write KERNEL OUT SPOOL` (for measuring peak RSS of a writer process).
if (import.meta.main) {
  const [mode, kernelPath, outputPath, spoolDir] = process.argv.slice(2);
  if (mode !== "write" || !kernelPath || !outputPath || !spoolDir) throw new Error("usage: _archive-fixture.ts write KERNEL OUT SPOOL");
  await writeArchiveWithKernel(kernelPath, outputPath, spoolDir);
}
