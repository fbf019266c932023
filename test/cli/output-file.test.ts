import { describe, expect, test } from "bun:test";
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { checkOutputFile, OutputFile, writeOutputFile } from "../../src/cli/_output-file.ts";
import { assayEnv, assayExe, host, runAssay, skipReason, tempDir } from "../harness.ts";

describe("OutputFile", () => {
  test("nothing is in place before commit; then the whole text is, and no temporary file is left", () => {
    using dir = tempDir("output-file", { "out.json": "old\n" });
    const out = join(dir.path, "out.json");
    const file = new OutputFile("--output", out);
    file.write("new ");
    file.write("x".repeat(3 << 20));
    const before = readFileSync(out, "utf8");
    file.commit();
    expect({ before, after: readFileSync(out, "utf8").length, files: readdirSync(dir.path) }).toEqual({
      before: "old\n",
      after: 4 + (3 << 20),
      files: ["out.json"],
    });
  });

  test("abandon keeps the old file and removes the temporary one", () => {
    using dir = tempDir("output-file", { "out.json": "old\n" });
    const file = new OutputFile("--output", join(dir.path, "out.json"));
    file.write("x".repeat(2 << 20));
    file.abandon();
    expect({ content: readFileSync(join(dir.path, "out.json"), "utf8"), files: readdirSync(dir.path) }).toEqual({ content: "old\n", files: ["out.json"] });
  });

  test("a symbolic link is followed: the file it names is replaced with its permissions, the link stays", () => {
    using dir = tempDir("output-file", { "real.json": "old\n" });
    chmodSync(join(dir.path, "real.json"), 0o640);
    symlinkSync("real.json", join(dir.path, "link.json"));
    writeOutputFile("--output", join(dir.path, "link.json"), "new\n");
    expect({
      link: lstatSync(join(dir.path, "link.json")).isSymbolicLink(),
      content: readFileSync(join(dir.path, "real.json"), "utf8"),
      mode: statSync(join(dir.path, "real.json")).mode & 0o777,
      files: readdirSync(dir.path).sort(),
    }).toEqual({ link: true, content: "new\n", mode: 0o640, files: ["link.json", "real.json"] });
  });

  test("a pipe is written in place, not replaced by a file", async () => {
    using dir = tempDir("output-file");
    const fifo = join(dir.path, "out.fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    await using reader = Bun.spawn(["cat", fifo], { stdout: "pipe" });
    writeOutputFile("--output", fifo, "through the pipe\n");
    expect({ read: await new Response(reader.stdout).text(), fifo: lstatSync(fifo).isFIFO() }).toEqual({ read: "through the pipe\n", fifo: true });
  });

  test("an output whose parent is a file fails naming the flag, the file and the parent, leaving nothing", () => {
    using dir = tempDir("output-file", { "a-file": "" });
    const out = join(dir.path, "a-file", "out.json");
    expect(() => writeOutputFile("--out-json", out, "{}")).toThrow(`--out-json: cannot write ${out}: ${join(dir.path, "a-file")} is not a directory`);
    expect(readdirSync(dir.path)).toEqual(["a-file"]);
  });

  // Issue 14, item 5: drift --out-md /nonexistent-dir/x.md created the directory.
  test("a missing directory is refused, not created", () => {
    using dir = tempDir("output-file");
    const out = join(dir.path, "missing", "deeper", "x.md");
    expect(() => writeOutputFile("--out-md", out, "# x\n")).toThrow(
      `--out-md: cannot write ${out}: no such directory ${join(dir.path, "missing", "deeper")} (directories are not created)`,
    );
    expect(readdirSync(dir.path)).toEqual([]);
  });

  test("an existing directory as the output is refused, and left as it was", () => {
    using dir = tempDir("output-file", { "d/keep": "k" });
    const out = join(dir.path, "d");
    expect(() => writeOutputFile("--output", out, "{}")).toThrow(`--output: cannot write ${out}: it is a directory`);
    expect(readdirSync(out)).toEqual(["keep"]);
  });

  test("checkOutputFile applies the same rule before any work, and accepts what can be written", () => {
    using dir = tempDir("output-file", { "old.json": "x" });
    const refused = (file: string) => {
      try {
        checkOutputFile("--output", file);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect([
      refused(join(dir.path, "new.json")),
      refused(join(dir.path, "old.json")),
      refused(dir.path),
      refused(join(dir.path, "no", "x.json")),
      refused("/dev/null"),
    ]).toEqual([
      "accepted",
      "accepted",
      `--output: cannot write ${dir.path}: it is a directory`,
      `--output: cannot write ${join(dir.path, "no", "x.json")}: no such directory ${join(dir.path, "no")} (directories are not created)`,
      "accepted",
    ]);
    expect(readdirSync(dir.path)).toEqual(["old.json"]);
  });

  test("a dangling symbolic link is written through: the link stays and the file it names is created", () => {
    using dir = tempDir("output-file");
    symlinkSync("made.json", join(dir.path, "link.json"));
    writeOutputFile("--output", join(dir.path, "link.json"), "new\n");
    expect({ link: lstatSync(join(dir.path, "link.json")).isSymbolicLink(), content: readFileSync(join(dir.path, "made.json"), "utf8") }).toEqual({
      link: true,
      content: "new\n",
    });
  });

  // Renaming onto /dev/stdout would replace the host's link with a regular file: the test restores it if so.
  test.skipIf(
    skipReason(
      !host.hasBinary || !host.isRoot,
      "writes through /dev/stdout of a child: needs the compiled binary, and root to repair /dev/stdout should it break",
    ),
  )("--output /dev/stdout writes to the standard output and leaves /dev/stdout a link", async () => {
    using dir = tempDir("output-file", { "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0" }) });
    const link = readlinkSync("/dev/stdout");
    try {
      const { stdout, exitCode } = await runAssay(["project", "-", "--rules", join(dir.path, "rules.json"), "--format", "summary", "--output", "/dev/stdout"], {
        stdin: "/a\n",
      });
      expect({ exitCode, input_count: JSON.parse(stdout).input_count, link: lstatSync("/dev/stdout").isSymbolicLink() }).toEqual({
        exitCode: 0,
        input_count: 1,
        link: true,
      });
    } finally {
      if (!lstatSync("/dev/stdout").isSymbolicLink()) {
        rmSync("/dev/stdout");
        symlinkSync(link, "/dev/stdout");
      }
    }
  });

  test.skipIf(skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)"))(
    "--output /dev/stdout into a pipe whose reader starts late: waits instead of failing with EAGAIN",
    async () => {
      using dir = tempDir("output-file", {
        "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0" }),
        "paths.txt": Array.from({ length: 20_000 }, (_, i) => `/w/${i}`).join("\n"),
      });
      // ~3 MB of records against a 64 KiB pipe buffer, read only after a pause.
      const script = `set -o pipefail; "$0" project "$1" --rules "$2" --format ndjson --output /dev/stdout | { sleep 1; wc -l; }`;
      await using proc = Bun.spawn(["bash", "-c", script, assayExe(), join(dir.path, "paths.txt"), join(dir.path, "rules.json")], {
        env: assayEnv,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect({ exitCode, lines: stdout.trim(), stderr }).toEqual({ exitCode: 0, lines: "20000", stderr: "" });
    },
  );
});
