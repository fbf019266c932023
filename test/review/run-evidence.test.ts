import { describe, expect, test } from "bun:test";
import { loadArchive } from "../../src/evidence/index.ts";
import { readRunEvidence, type ReviewInputError, writtenPaths } from "../../src/review/index.ts";
import { tempDir } from "../harness.ts";
import { writeShapeArchive } from "./_runs.ts";

const row = (fields: Record<string, unknown>) =>
  JSON.stringify({ schema: "assay.runner.kernel_event.v0", run_id: "r", seq: 0, pid: 1, event_type: 1, kind: "openat", ...fields });
const bytes = (lines: string[]) => new TextEncoder().encode(`${lines.join("\n")}\n`);

describe("writtenPaths", () => {
  test("takes successful opens for write, read_write, create, truncate or append; not reads, failures or other kinds", () => {
    const kernel = bytes([
      row({ value: "/r", access_mode: "read", status: "success" }),
      row({ value: "/w", access_mode: "write", status: "success" }),
      row({ value: "/rw", access_mode: "read_write", status: "success" }),
      row({ value: "/append", access_mode: "read", operation_flags: ["append"], status: "success" }),
      row({ value: "/denied", access_mode: "write", status: "error" }),
      row({ value: "/legacy", access_mode: "write" }),
      row({ kind: "exec", event_type: 4, value: "/bin/sh" }),
    ]);
    expect([...writtenPaths("a.tar.gz", kernel, (n) => `a.tar.gz!${n}`)].sort()).toEqual(["/append", "/legacy", "/rw", "/w"]);
  });

  test("decodes rows as TextDecoder does: malformed bytes become U+FFFD, a leading byte order mark is dropped", () => {
    const encoder = new TextEncoder();
    const [head, tail] = row({ value: "/w/X", access_mode: "write", status: "success" }).split("X") as [string, string];
    const malformed = Uint8Array.of(0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98);
    const line = new Uint8Array([...encoder.encode(head), ...malformed, ...encoder.encode(tail)]);
    const bom = encoder.encode(`\uFEFF${row({ value: "/w/bom", access_mode: "write", status: "success" })}`);
    const kernel = new Uint8Array([...line, 0x0a, ...bom, 0x0a]);
    const expected = new TextDecoder().decode(malformed);
    expect([...writtenPaths("a.tar.gz", kernel, (n) => n)]).toEqual([`/w/${expected}`, "/w/bom"]);
  });

  test("a broken write row is an error naming the member and line", () => {
    const kernel = bytes([row({ value: "/r", access_mode: "read" }), '{"access_mode":"write", broken']);
    expect(() => writtenPaths("a.tar.gz", kernel, (n) => `a.tar.gz!${n}`)).toThrow(/^a\.tar\.gz!layers\/kernel\.ndjson:2: not JSON: /);
  });
});

describe("readRunEvidence", () => {
  test("reads identity, surface, writes and health from an archive the writer made", async () => {
    using dir = tempDir("run-evidence");
    const path = await writeShapeArchive(dir.path, { runId: "run_ev", reads: ["/srv/a"], writes: ["/w/b"], execs: ["/bin/sh"], endpoints: ["127.0.0.1:9"] });
    const loaded = await loadArchive(path);
    if (!loaded.ok) throw new Error("unreadable");
    const manifest = loaded.value.members.get("manifest.json")!;
    const evidence = readRunEvidence(
      path,
      (n) => loaded.value.members.get(n),
      (n) => `${path}!${n}`,
      (b) => new Bun.CryptoHasher("sha256").update(b).digest("hex"),
    );
    expect({ ...evidence, writes: [...evidence.writes], health: evidence.health?.kernel_layer, healthJson: undefined }).toEqual({
      source: path,
      runId: "run_ev",
      manifestDigest: `sha256:${new Bun.CryptoHasher("sha256").update(manifest).digest("hex")}`,
      paths: ["/srv/a", "/w/b"],
      writes: ["/w/b"],
      execs: ["/bin/sh"],
      endpoints: ["127.0.0.1:9"],
      names: new Map(),
      health: "complete",
      healthJson: undefined,
    });
  });

  test("a surface that breaks its schema is an error naming the member and field", async () => {
    const members = new Map<string, Uint8Array>([
      ["manifest.json", new TextEncoder().encode("{}")],
      [
        "capability-surface.json",
        new TextEncoder().encode(
          JSON.stringify({
            schema: "assay.runner.capability_surface.v0",
            run_id: "r",
            filesystem_paths: ["/b", "/a"],
            network_endpoints: [],
            process_execs: [],
            mcp_tools: [],
            policy_decisions: [],
          }),
        ),
      ],
    ]);
    let error: unknown;
    try {
      readRunEvidence(
        "x.tar.gz",
        (n) => members.get(n),
        (n) => `x.tar.gz!${n}`,
        () => "0",
      );
    } catch (e) {
      error = e;
    }
    expect([
      (error as ReviewInputError).member,
      (error as ReviewInputError).field,
      (error as Error).message.startsWith("x.tar.gz!capability-surface.json › filesystem_paths.1:"),
    ]).toEqual(["capability-surface.json", "filesystem_paths.1", true]);
  });
});
