import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileRulesOrThrow, PathTally } from "../../src/projection/index.ts";
import { lineBytes, readerLines } from "../fixtures/projection/byte-inputs.ts";
import { generatePaths, generateRules } from "../fixtures/projection/path-sets.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)");

// A paths file with what real files hold besides plain lines: a BOM, CRLF, empty lines, operation
// prefixes, a line longer than one read, and the generated mix; with `bad`, some lines that are not
// UTF-8 (which the command refuses).
function awkwardFile(bad = false): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0xef, 0xbb, 0xbf)];
  const text = (s: string) => parts.push(new TextEncoder().encode(s));
  generatePaths(30_000, 12).forEach((path, i) => {
    if (bad && i % 9973 === 9000) parts.push(lineBytes(`${path}/\uDC80x`, i));
    else if (i % 97 === 0) text(`${path}/é\u{1F600}`);
    else text(path);
    text(i % 5 === 0 ? "\r\n" : i % 7 === 0 ? "\n\n" : "\n");
  });
  text(`/opt/${"long/".repeat(300_000)}node_modules/openai/x\r\n\r\n/usr/bin/python3.12\nread:/usr/lib/python3.11/os.py`);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

describe.skipIf(noBinary)("assay-runner project with the byte core", () => {
  const rules = { ...generateRules(1000, "builtin"), heuristics: ["builtin" as const, { pattern: "**/work*/?", class: "cache" as const }] };

  test("summary is byte-identical with one core, two cores (a worker in the binary) and the previous engine, and equals PathTally", async () => {
    const bytes = awkwardFile();
    using dir = tempDir("project-cores", { "rules.json": JSON.stringify(rules), "paths.txt": bytes });
    const args = ["project", join(dir.path, "paths.txt"), "--rules", join(dir.path, "rules.json"), "--format", "summary"];
    const oneCore = await runAssay(args, { env: { ASSAY_PROJECT_PARALLEL_MIN_BYTES: String(2 ** 40) } });
    const twoCores = await runAssay(args, { env: { ASSAY_PROJECT_PARALLEL_MIN_BYTES: "1" } });
    const previous = await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "string" } });
    const stdin = await runAssay(["project", "-", ...args.slice(2)], { stdin: new TextDecoder().decode(bytes.subarray(3)) });
    const tally = new PathTally(compileRulesOrThrow(rules));
    for (const line of readerLines(readFileSync(join(dir.path, "paths.txt")))) tally.add(line);
    const expected = `${JSON.stringify(tally.summary(), null, 2)}\n`;
    expect([oneCore, twoCores, previous].map((o) => ({ exitCode: o.exitCode, stderr: o.stderr, same: o.stdout === expected }))).toEqual(
      Array(3).fill({ exitCode: 0, stderr: "", same: true }),
    );
    expect({ exitCode: stdin.exitCode, same: stdin.stdout === expected }).toEqual({ exitCode: 0, same: true });
  });

  test("ndjson from the byte core is byte-identical to the previous engine's, on stdout and with --output", async () => {
    using dir = tempDir("project-ndjson", { "rules.json": JSON.stringify(rules), "paths.txt": awkwardFile() });
    const args = ["project", join(dir.path, "paths.txt"), "--rules", join(dir.path, "rules.json"), "--format", "ndjson"];
    const previous = await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "string" } });
    const stdout = await runAssay(args);
    const toFile = await runAssay([...args, "--output", join(dir.path, "out.ndjson")]);
    expect({
      exitCodes: [previous.exitCode, stdout.exitCode, toFile.exitCode],
      lines: previous.stdout.split("\n").length,
      stdoutSame: stdout.stdout === previous.stdout,
      fileSame: readFileSync(join(dir.path, "out.ndjson"), "utf8") === previous.stdout,
    }).toEqual({ exitCodes: [0, 0, 0], lines: 30_000 + 4, stdoutSame: true, fileSame: true });
  });

  test("the json document from the byte core equals the previous engine's", async () => {
    const lines = generatePaths(20_000, 13);
    using dir = tempDir("project-json", {
      "rules.json": JSON.stringify(rules),
      "paths.txt": `${[...lines, ...lines.slice(0, 500)].reverse().join("\r\n")}\n`,
      "awkward.txt": awkwardFile(),
    });
    const outcomes = [];
    for (const file of ["paths.txt", "awkward.txt"]) {
      const args = ["project", join(dir.path, file), "--rules", join(dir.path, "rules.json"), "--format", "json"];
      const previous = await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "string" } });
      const now = await runAssay(args);
      outcomes.push({
        file,
        exitCodes: [previous.exitCode, now.exitCode],
        same: now.stdout === previous.stdout,
        mappings: JSON.parse(now.stdout).mappings.length > 0,
      });
    }
    expect(outcomes).toEqual([
      { file: "paths.txt", exitCodes: [0, 0], same: true, mappings: true },
      { file: "awkward.txt", exitCodes: [0, 0], same: true, mappings: true },
    ]);
  });

  test("input that is not UTF-8 text is refused as the previous engine refuses it: exit 2, the same message, nothing in --output", async () => {
    const nul = new TextEncoder().encode("/a\n/b\u0000c\n/d\n");
    using dir = tempDir("project-not-text", { "rules.json": JSON.stringify(rules), "bad.txt": awkwardFile(true), "nul.txt": nul });
    const outcomes = [];
    for (const file of ["bad.txt", "nul.txt"]) {
      for (const format of ["summary", "ndjson", "json"]) {
        const args = [
          "project",
          join(dir.path, file),
          "--rules",
          join(dir.path, "rules.json"),
          "--format",
          format,
          "--output",
          join(dir.path, `out-${file}-${format}`),
        ];
        const runs = [
          await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "string" } }),
          await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "byte", ASSAY_PROJECT_PARALLEL_MIN_BYTES: String(2 ** 40) } }),
          await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "byte", ASSAY_PROJECT_PARALLEL_MIN_BYTES: "1" } }),
        ];
        outcomes.push({
          file,
          format,
          exitCodes: runs.map((r) => r.exitCode),
          sameMessage: runs.every((r) => r.stderr === runs[0]!.stderr && r.stderr.includes("not UTF-8 text")),
          leftBehind: readdirSync(dir.path).filter((f) => f.startsWith("out-")),
        });
      }
    }
    expect(outcomes).toEqual(
      ["bad.txt", "nul.txt"].flatMap((file) =>
        ["summary", "ndjson", "json"].map((format) => ({ file, format, exitCodes: [2, 2, 2], sameMessage: true, leftBehind: [] })),
      ),
    );
  });

  test("a small file, which takes the string engine, gives what the byte core gives in every format", async () => {
    const lines = generatePaths(2_000, 14);
    using dir = tempDir("project-small", { "rules.json": JSON.stringify(rules), "paths.txt": `${lines.join("\n")}\n` });
    const outcomes = [];
    for (const format of ["summary", "ndjson", "json"]) {
      const args = ["project", join(dir.path, "paths.txt"), "--rules", join(dir.path, "rules.json"), "--format", format];
      const auto = await runAssay(args);
      const byte = await runAssay(args, { env: { ASSAY_PROJECTION_CORE: "byte" } });
      outcomes.push({ format, exitCodes: [auto.exitCode, byte.exitCode], same: auto.stdout === byte.stdout, empty: auto.stdout.length === 0 });
    }
    expect(outcomes).toEqual(["summary", "ndjson", "json"].map((format) => ({ format, exitCodes: [0, 0], same: true, empty: false })));
  });
});
