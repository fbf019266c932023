import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runAssay, tempDir, upstreamFixtures } from "../harness.ts";

const intact = join(upstreamFixtures, "extracted/intact-open-metadata");
const kernelLayer = join(intact, "layers/kernel.ndjson");
const kernelRows = readFileSync(kernelLayer, "utf8")
  .split("\n")
  .filter((line) => line !== "").length;
const handWrittenManifest = join(upstreamFixtures, "hand-written-arms/arm-a-openai/manifest.json");

describe("assay-runner validate", () => {
  test("accepts a real kernel layer: exit 0, one success line on stderr, nothing on stdout", async () => {
    const outcome = await runAssay(["validate", kernelLayer]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: `[success] ${kernelLayer}: valid (${kernelRows} NDJSON rows: ${kernelRows} × assay.runner.kernel_event.v0)\n`,
      exitCode: 0,
    });
  });

  test("prints one JSON report on stdout with --json", async () => {
    const file = join(intact, "observation-health.json");
    const outcome = await runAssay(["validate", file, "--json"]);
    expect({ ...outcome, stdout: JSON.parse(outcome.stdout) }).toEqual({
      stdout: {
        file,
        valid: true,
        format: "json",
        documents: 1,
        schemas: { "assay.runner.observation_health.v0": 1 },
        issues: [],
      },
      stderr: "",
      exitCode: 0,
    });
  });

  test("rejects the hand-written manifest with exit 1 and one line per missing member", async () => {
    const outcome = await runAssay(["validate", handWrittenManifest]);
    const lines = ["events.ndjson", "layers/kernel.ndjson", "layers/policy.ndjson"].map(
      (member) =>
        `[error] ${handWrittenManifest}: › files["${member}"]: manifest lists no entry for member "${member}"; it must list exactly the 7 non-manifest members`,
    );
    expect(outcome).toEqual({
      stdout: "",
      stderr: `${[...lines, `[error] ${handWrittenManifest}: invalid, 3 issues (1 JSON document)`].join("\n")}\n`,
      exitCode: 1,
    });
  });

  test("reports bad NDJSON rows by line in the JSON report", async () => {
    const good = readFileSync(kernelLayer, "utf8").split("\n")[0] as string;
    const bad = good.replace('"event_type":1', '"event_type":2').replace('"seq":0', '"seq":1');
    using dir = tempDir("validate-e2e", { "kernel.ndjson": `${good}\n${bad}\n` });
    const file = join(dir.path, "kernel.ndjson");
    const outcome = await runAssay(["validate", "--json", file]);
    const report = JSON.parse(outcome.stdout) as {
      valid: boolean;
      format: string;
      documents: number;
      issues: { code: string; line: number; path: string; message: string }[];
    };
    expect({
      exitCode: outcome.exitCode,
      stderr: outcome.stderr,
      valid: report.valid,
      format: report.format,
      documents: report.documents,
      issues: report.issues.map(({ code, line, path, message }) => ({ code, line, path, message })),
    }).toEqual({
      exitCode: 1,
      stderr: "",
      valid: false,
      format: "ndjson",
      documents: 2,
      issues: [{ code: "INVARIANT_VIOLATED", line: 2, path: "event_type", message: 'kernel_event.v0 row: kind "openat" requires event_type 1, received 2' }],
    });
  });

  test("reads stdin when the file is -", async () => {
    const text = readFileSync(join(intact, "capability-surface.json"), "utf8");
    const outcome = await runAssay(["validate", "-"], { stdin: text });
    expect(outcome).toEqual({
      stdout: "",
      stderr: "[success] <stdin>: valid (1 JSON document: 1 × assay.runner.capability_surface.v0)\n",
      exitCode: 0,
    });
  });

  test("calls text that is not JSON invalid (exit 1), naming the position", async () => {
    const outcome = await runAssay(["validate", "-"], { stdin: '{"schema": \n' });
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, firstLine: outcome.stderr.split("\n")[0] }).toEqual({
      exitCode: 1,
      stdout: "",
      firstLine: expect.stringMatching(/^\[error\] <stdin>: not JSON: .* at line \d+, column \d+$/),
    });
  });

  test("keeps u64 values beyond 2^53 exact: a kernel row with a 64-bit flags value is valid", async () => {
    const row = readFileSync(kernelLayer, "utf8").split("\n")[0] as string;
    // 2^63 + 524288 is O_CLOEXEC with the top bit set; flags & 3 stays 0 (read), as the row says.
    const big = row.replace(/"flags":\d+/, '"flags":9223372036855300096');
    const outcome = await runAssay(["validate", "-"], { stdin: `${big}\n` });
    expect({ exitCode: outcome.exitCode, stderr: outcome.stderr, changed: big !== row }).toEqual({
      exitCode: 0,
      stderr: "[success] <stdin>: valid (1 JSON document: 1 × assay.runner.kernel_event.v0)\n",
      changed: true,
    });
  });

  test("prints nothing for a valid file with --quiet, and still prints problems", async () => {
    const [valid, invalid] = await Promise.all([runAssay(["validate", "--quiet", kernelLayer]), runAssay(["validate", "--quiet", handWrittenManifest])]);
    expect({ valid, invalidExit: invalid.exitCode, invalidLines: invalid.stderr.trimEnd().split("\n").length }).toEqual({
      valid: { stdout: "", stderr: "", exitCode: 0 },
      invalidExit: 1,
      invalidLines: 4,
    });
  });

  test("points at verify when given a .tar.gz archive", async () => {
    const archive = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
    const outcome = await runAssay(["validate", archive]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: `[error] ${archive}: cannot read: this is a gzip archive, not a JSON document (to check an archive use: assay-runner verify FILE)\n`,
      exitCode: 2,
    });
  });

  test("exits 2 for a file that cannot be read", async () => {
    const outcome = await runAssay(["validate", "/nonexistent/kernel.ndjson"]);
    expect(outcome).toEqual({ stdout: "", stderr: "[error] /nonexistent/kernel.ndjson: cannot read: no such file\n", exitCode: 2 });
  });

  test("exits 2 for a directory, pointing at verify", async () => {
    const outcome = await runAssay(["validate", intact]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: `[error] ${intact}: cannot read: is a directory (to check an archive directory use: assay-runner verify DIR)\n`,
      exitCode: 2,
    });
  });

  test("exits 2 when no file is given: the error first, then where the usage is", async () => {
    const outcome = await runAssay(["validate"]);
    expect(outcome).toEqual({
      stdout: "",
      stderr: "[error] --file: a FILE to check is required (or - for stdin)\nsee assay-runner validate --help\n",
      exitCode: 2,
    });
  });

  test("exits 2 for an undeclared flag", async () => {
    const outcome = await runAssay(["validate", kernelLayer, "--strict"]);
    expect(outcome).toEqual({ stdout: "", stderr: "[error] unknown flag --strict\nsee assay-runner validate --help\n", exitCode: 2 });
  });

  // Issue 14, item 5: a 0-byte file was reported "valid".
  test("an empty file is an error, exit 2, in words and in --json", async () => {
    using dir = tempDir("validate-empty", { "empty.json": "" });
    const file = join(dir.path, "empty.json");
    const message = "the file is empty: no JSON document or NDJSON row to check (an empty layer is checked inside its archive: assay-runner verify)";
    const human = await runAssay(["validate", file]);
    const machine = await runAssay(["validate", file, "--json"]);
    const stdin = await runAssay(["validate", "-"], { stdin: "" });
    expect([human, { ...machine, stdout: JSON.parse(machine.stdout) }, stdin.exitCode]).toEqual([
      { stdout: "", stderr: `[error] ${file}: ${message}\n`, exitCode: 2 },
      { stdout: { file, valid: false, readable: false, error: message }, stderr: `[error] ${file}: ${message}\n`, exitCode: 2 },
      2,
    ]);
  });
});
