import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { loadArchive, readArchiveNetwork, verifyArchive } from "../../src/evidence/index.ts";
import { tempDir } from "../harness.ts";
import { RESOLVE_THEN_CONNECT, writeNamedArchive } from "../egress/_named-archive.ts";

function kernelLines(path: string): string[] {
  const tar = gunzipSync(readFileSync(path));
  const text = new TextDecoder().decode(tar);
  return text
    .split("\n")
    .filter((line) => line.includes('"schema":"assay.runner.kernel_event.v0"'))
    .map((line) => line.slice(line.indexOf("{")));
}

describe("archives with DNS rows", () => {
  test("write dns_query/dns_answer rows with upstream's fields first and ours after, and verify", async () => {
    using dir = tempDir("names");
    const path = await writeNamedArchive(dir.path, "run_names");
    const lines = kernelLines(path);
    expect(lines.slice(1, 3)).toEqual([
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_names","seq":1,"pid":0,"event_type":30,"kind":"dns_query","value":"api.example.test","network_destination":"127.0.0.53","network_port":53,"dns_type":"A","dns_source":"stub"}',
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_names","seq":2,"pid":0,"event_type":31,"kind":"dns_answer","value":"api.example.test","network_destination":"127.0.0.2","dns_type":"A","dns_ttl":30,"dns_source":"stub"}',
    ]);
    const report = await verifyArchive(path);
    expect(report.issues).toEqual([]);
  });

  test("name the endpoint the answer's address was connected to, marked resolved", async () => {
    using dir = tempDir("names");
    const path = await writeNamedArchive(dir.path, "run_names");
    const loaded = await loadArchive(path);
    if (!loaded.ok) throw new Error("unreadable");
    const network = readArchiveNetwork((name) => loaded.value.members.get(name), path);
    expect(network.ok && [...network.value.names]).toEqual([["127.0.0.2:443", [{ host: "api.example.test", source: "resolved" }]]]);
  });

  test("fail verify when the dns_capture note claims complete names that the rows do not give", async () => {
    using dir = tempDir("names");
    const lying = await writeNamedArchive(dir.path, "run_lying", RESOLVE_THEN_CONNECT, undefined, (note) =>
      note.replace("named_endpoints=1/2 names=incomplete", "named_endpoints=2/2 names=complete"),
    );
    const report = await verifyArchive(lying);
    expect(report.issues.map((i) => `${i.code} ${i.expected} ${i.received}`)).toEqual([
      "DNS_NOTE_MISMATCH named_endpoints=1 named_endpoints=2",
      "DNS_NOTE_MISMATCH names=incomplete names=complete",
    ]);
  });

  test("say names=incomplete when a packet was unparseable even if every endpoint is named", async () => {
    using dir = tempDir("names");
    const steps = RESOLVE_THEN_CONNECT.filter((s) => !("connect" in s && s.connect.startsWith("203.")));
    const clean = await writeNamedArchive(dir.path, "run_clean", steps);
    const damaged = await writeNamedArchive(dir.path, "run_damaged", steps, { unparseable: 2, answersBeforeArmed: 0 });
    const notes = await Promise.all(
      [clean, damaged].map(async (p) => {
        const loaded = await loadArchive(p);
        if (!loaded.ok) throw new Error("unreadable");
        return (JSON.parse(new TextDecoder().decode(loaded.value.members.get("observation-health.json"))) as { notes: string[] }).notes[1];
      }),
    );
    expect(notes).toEqual([
      "dns_capture: queries=1 answer_rows=1 unparseable=0 answers_before_armed=0 named_endpoints=1/1 names=complete",
      "dns_capture: queries=1 answer_rows=1 unparseable=2 answers_before_armed=0 named_endpoints=1/1 names=incomplete",
    ]);
    expect((await verifyArchive(damaged)).issues).toEqual([]);
  });
});
