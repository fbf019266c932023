// Issue 14, items 4 and 5: one command-line contract for every command (--json, exit codes, output
// files, usage errors, help), and diff and fidelity agreeing on clean runs without an agent.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderExitCodeMarkdown } from "../../src/cli/_exit-codes.ts";
import { host, repoRoot, runAssay, skipReason, tempDir, upstreamFixtures } from "../harness.ts";
import { writeKeyFile } from "../run/_archive.ts";
import { writeRunArchive } from "./_archives.ts";

const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)");
const noPtraceRun = skipReason(!host.hasBinary || !host.hasCgroup2 || !host.hasStrace, "real runs need the compiled binary, root with cgroup v2, and strace");
const COMMANDS = ["run", "verify", "validate", "inspect", "project", "diff", "drift", "fidelity", "claims", "doctor", "baseline", "check", "report"];
const REAL = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
const REAL_B = join(upstreamFixtures, "archives/run_arm_b-gemini_20260525T114112Z_1/archive.tar.gz");

/** Broken archives of each kind: not gzip, cut short, empty. */
function brokenArchives(dir: string): Record<string, string> {
  const bytes = readFileSync(REAL);
  const files = { junk: "junk.tar.gz", truncated: "truncated.tar.gz", empty: "empty.tar.gz" };
  writeFileSync(
    join(dir, files.junk),
    Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) % 251),
  );
  writeFileSync(join(dir, files.truncated), bytes.subarray(0, 1000));
  writeFileSync(join(dir, files.empty), "");
  return Object.fromEntries(Object.entries(files).map(([kind, name]) => [kind, join(dir, name)]));
}

describe.skipIf(noBinary)("issue 14: diff and fidelity agree", () => {
  test("two clean runs without an agent diff as clean (exit 0, nothing on stderr), and fidelity calls both clean", async () => {
    using dir = tempDir("contract-noagent");
    const base = await writeRunArchive(dir.path, "run_plain_1", { filesystem_paths: ["/w/in.txt"] }, null);
    const head = await writeRunArchive(dir.path, "run_plain_2", { filesystem_paths: ["/w/in.txt", "/w/out.txt"] }, null);
    const diff = await runAssay(["diff", base, head]);
    const verdicts = await Promise.all([runAssay(["fidelity", base]), runAssay(["fidelity", head])]);
    const document = JSON.parse(diff.stdout);
    expect([
      diff.exitCode,
      diff.stderr,
      document.status,
      document.preconditions.stable_tool_call_ids_required,
      document.notes,
      verdicts.map((v) => [v.exitCode, JSON.parse(v.stdout).verdict, v.stderr]),
    ]).toEqual([
      0,
      "",
      "clean",
      false,
      [],
      [
        [0, "clean", ""],
        [0, "clean", ""],
      ],
    ]);
  });

  test.skipIf(noPtraceRun)(
    "two real measured runs without an agent (ptrace) diff as clean, and fidelity calls them clean",
    async () => {
      using dir = tempDir("contract-realruns");
      const env = { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) };
      const archives = [join(dir.path, "one.tar.gz"), join(dir.path, "two.tar.gz")];
      const runs = [];
      for (const archive of archives)
        runs.push((await runAssay(["run", "--capture", "ptrace", "-o", archive, "--", "sh", "-c", "cat /etc/hostname > /dev/null"], { env })).exitCode);
      const diff = await runAssay(["diff", ...archives]);
      const verdicts = await Promise.all(archives.map((archive) => runAssay(["fidelity", archive])));
      expect([runs, diff.exitCode, JSON.parse(diff.stdout).status, diff.stderr, verdicts.map((v) => JSON.parse(v.stdout).verdict)]).toEqual([
        [0, 0],
        0,
        "clean",
        "",
        ["clean", "clean"],
      ]);
    },
    60_000,
  );

  test("a partial diff names its reason in the JSON notes and in plain words on stderr, without internal status names", async () => {
    using dir = tempDir("contract-partial");
    const base = await writeRunArchive(dir.path, "run_plain_1", {}, null);
    const head = await writeRunArchive(dir.path, "run_agent_2", {});
    const outcome = await runAssay(["diff", base, head]);
    const document = JSON.parse(outcome.stdout);
    const reason = "base has no tool-call bindings, which a run with an agent layer needs for a clean diff";
    expect([outcome.exitCode, document.status, document.notes, outcome.stderr, outcome.stderr.includes("partial:")]).toEqual([
      1,
      "partial:correlation",
      [`capability_diff_partial: ${reason}`],
      `[error] the diff is partial, not clean: ${reason} (exit 1; --allow-partial accepts it)\n`,
      false,
    ]);
  });

  test("a fidelity verdict other than clean is explained on stderr; --json keeps stderr quiet", async () => {
    using dir = tempDir("contract-fidelity", {
      "health.json": JSON.stringify({
        schema: "assay.runner.observation_health.v0",
        run_id: "r",
        platform: "linux",
        kernel_layer: "partial_ringbuf_drops",
        ringbuf_drops: 3,
        cgroup_correlation: "clean",
      }),
    });
    const human = await runAssay(["fidelity", join(dir.path, "health.json")]);
    const machine = await runAssay(["fidelity", join(dir.path, "health.json"), "--json"]);
    expect([human.exitCode, JSON.parse(human.stdout).verdict, human.stderr, machine.stderr, machine.stdout === human.stdout]).toEqual([
      0,
      "clipped",
      "[warn] fidelity verdict clipped: ringbuf_drops is 3 (measured positive claims degraded, bounded negative claims blocked)\n",
      "",
      true,
    ]);
  });
});

describe.skipIf(noBinary)("issue 14: one command-line contract", () => {
  test("every command takes --json and prints exactly one JSON document on stdout", async () => {
    using dir = tempDir("contract-json", { "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0" }) });
    const health = join(upstreamFixtures, "extracted/intact-open-metadata/observation-health.json");
    const invocations: Record<string, string[]> = {
      verify: ["verify", REAL, "--json"],
      validate: ["validate", health, "--json"],
      inspect: ["inspect", REAL, "--json"],
      project: ["project", REAL, "--rules", join(dir.path, "rules.json"), "--json"],
      diff: ["diff", REAL, REAL, "--json", "--allow-partial"],
      drift: ["drift", REAL, REAL_B, "--json"],
      fidelity: ["fidelity", REAL, "--json"],
      claims: ["claims", "--json"],
      doctor: ["doctor", "--json"],
      run: ["run", "--capture", "none", "--json", "-o", join(dir.path, "a.tar.gz"), "--", "true"],
      // baseline runs before check, which reads what it wrote.
      baseline: ["baseline", REAL, "-o", join(dir.path, "baseline.json"), "--json"],
      check: ["check", REAL, "--baseline", join(dir.path, "baseline.json"), "--json"],
      report: ["report", REAL, "-o", join(dir.path, "report.html"), "--json"],
    };
    const parsed: Record<string, string> = {};
    for (const command of COMMANDS) {
      const outcome = await runAssay(invocations[command]!);
      try {
        const value: unknown = JSON.parse(outcome.stdout);
        parsed[command] = typeof value === "object" && value !== null ? "one document" : `a JSON ${typeof value}`;
      } catch {
        parsed[command] = `not one JSON document (exit ${outcome.exitCode}): ${outcome.stderr.split("\n")[0]}`;
      }
    }
    expect(parsed).toEqual(Object.fromEntries(COMMANDS.map((c) => [c, "one document"])));
  });

  test("exit 3 stays drift's: diff and fidelity exit 2 on an unreadable archive, like every other command", async () => {
    using dir = tempDir("contract-exit3");
    const broken = brokenArchives(dir.path);
    const codes: Record<string, number | null> = {};
    for (const [kind, file] of Object.entries(broken)) {
      codes[`diff ${kind}`] = (await runAssay(["diff", file, REAL])).exitCode;
      codes[`fidelity ${kind}`] = (await runAssay(["fidelity", file])).exitCode;
      codes[`drift ${kind}`] = (await runAssay(["drift", file, REAL])).exitCode;
    }
    codes["diff missing"] = (await runAssay(["diff", join(dir.path, "nope.tar.gz"), REAL])).exitCode;
    codes["fidelity missing"] = (await runAssay(["fidelity", join(dir.path, "nope.tar.gz")])).exitCode;
    expect(codes).toEqual({
      "diff junk": 2,
      "fidelity junk": 2,
      "drift junk": 3,
      "diff truncated": 2,
      "fidelity truncated": 2,
      "drift truncated": 3,
      "diff empty": 2,
      "fidelity empty": 2,
      "drift empty": 3,
      "diff missing": 2,
      "fidelity missing": 2,
    });
  });

  test("verify and inspect answer the same unreadable archive alike: exit 2, one message, readable false", async () => {
    using dir = tempDir("contract-unreadable");
    const unrelated = join(dir.path, "unrelated-dir");
    mkdirSync(unrelated);
    writeFileSync(join(unrelated, "notes.txt"), "not an archive member\n");
    const broken = { ...brokenArchives(dir.path), unrelated };
    const seen: Record<string, unknown> = {};
    for (const [kind, file] of Object.entries(broken)) {
      const [verify, inspect, verifyJson, inspectJson] = await Promise.all([
        runAssay(["verify", file]),
        runAssay(["inspect", file]),
        runAssay(["verify", file, "--json"]),
        runAssay(["inspect", file, "--json"]),
      ]);
      const v = JSON.parse(verifyJson.stdout);
      const i = JSON.parse(inspectJson.stdout);
      seen[kind] = {
        exits: [verify.exitCode, inspect.exitCode, verifyJson.exitCode, inspectJson.exitCode],
        sameMessage: verify.stderr === inspect.stderr && verify.stderr.startsWith(`[error] ${file}: `) && verify.stderr.split("\n").length === 2,
        json: [v.readable, i.readable, v.error === i.error, v.valid],
      };
    }
    const alike = { exits: [2, 2, 2, 2], sameMessage: true, json: [false, false, true, false] };
    expect(seen).toEqual({ junk: alike, truncated: alike, empty: alike, unrelated: alike });
  });

  test("inspect of a truncated archive does not exit 0 nor claim what it did not read, and speaks no internal jargon", async () => {
    using dir = tempDir("contract-truncated");
    const { truncated } = brokenArchives(dir.path);
    const outcome = await runAssay(["inspect", truncated!]);
    expect([outcome.exitCode, outcome.stdout, outcome.stderr]).toEqual([2, "", `[error] ${truncated}: gzip stream is truncated\n`]);
  });

  test("inspect says in plain words that an archive has no redaction record", async () => {
    const outcome = await runAssay(["inspect", REAL]);
    const line = outcome.stderr.split("\n").find((l) => l.startsWith("redaction "));
    expect([outcome.exitCode, line, /ADR|pre-|partial:/.test(outcome.stderr)]).toEqual([
      0,
      "redaction not recorded (the archive's producer wrote no redaction record)",
      false,
    ]);
  });

  test("every command refuses an output in a missing directory alike: exit 2, nothing created", async () => {
    using dir = tempDir("contract-outdir", { "rules.json": JSON.stringify({ schema: "assay.runner.projection_rules.v0" }) });
    const missing = join(dir.path, "nonexistent-dir");
    const file = (name: string) => join(missing, name);
    const attempts: Record<string, string[]> = {
      "drift --out-md": ["drift", REAL, REAL_B, "--out-md", file("x.md")],
      "drift --out-json": ["drift", REAL, REAL_B, "--out-json", file("x.json")],
      "drift --coverage-annotation-out": ["drift", REAL, REAL_B, "--coverage-annotation-out", file("a.json")],
      "diff --output": ["diff", REAL, REAL, "--output", file("d.json")],
      "project --output": ["project", REAL, "--rules", join(dir.path, "rules.json"), "--output", file("p.json")],
      "run --output": ["run", "--capture", "none", "-o", file("a.tar.gz"), "--", "touch", join(dir.path, "ran")],
    };
    const results: Record<string, unknown> = {};
    for (const [name, args] of Object.entries(attempts)) {
      const outcome = await runAssay(args);
      const flag = name.split(" ")[1];
      results[name] = [
        outcome.exitCode,
        outcome.stderr.includes(`${flag}: cannot write ${missing}/`) && outcome.stderr.includes(`no such directory ${missing} (directories are not created)`),
      ];
    }
    expect({ results, created: existsSync(missing), ran: existsSync(join(dir.path, "ran")) }).toEqual({
      results: Object.fromEntries(Object.keys(attempts).map((name) => [name, [2, true]])),
      created: false,
      ran: false,
    });
  });

  test("run -o pointing at a directory fails before the workload runs: exit 2, nothing run, the directory untouched", async () => {
    using dir = tempDir("contract-run-o");
    const out = join(dir.path, "existing_dir");
    mkdirSync(out);
    const ran = join(dir.path, "ran");
    const outcome = await runAssay(["run", "--capture", "none", "-o", out, "--", "touch", ran]);
    expect([outcome.exitCode, outcome.stdout, outcome.stderr, existsSync(ran), readdirSync(out)]).toEqual([
      2,
      "",
      `[error] --output: cannot write ${out}: it is a directory; nothing was run\n`,
      false,
      [],
    ]);
  });

  test("run's usage shows the workload command after --", async () => {
    const outcome = await runAssay(["run", "--help"]);
    expect([outcome.exitCode, outcome.stdout.split("\n").find((l) => l.startsWith("Usage:"))]).toEqual([0, "Usage: assay-runner run [OPTIONS] -- CMD [ARG…]"]);
  });

  test("every --help is plain, at most 100 columns except examples, no trailing blanks, with an exit-code table", async () => {
    const report: Record<string, unknown> = {};
    for (const command of COMMANDS) {
      const { stdout, exitCode } = await runAssay([command, "--help"]);
      const lines = stdout.split("\n");
      const examples = lines.indexOf("Examples:") >= 0 ? lines.indexOf("Examples:") : lines.indexOf("Example:");
      const body = examples >= 0 ? lines.slice(0, examples) : lines;
      report[command] = [
        exitCode,
        body.filter((l) => l.length > 100).length,
        lines.filter((l) => /\s$/.test(l)).length,
        lines.includes("Exit codes:"),
        lines.some((l) => /^ {2}2 +bad usage or unusable input/.test(l)),
      ];
    }
    expect(report).toEqual(Object.fromEntries(COMMANDS.map((c) => [c, [0, 0, 0, true, true]])));
  });

  test("with --json, an error is one JSON document too, with the same exit code and message as without", async () => {
    const commands = [
      ["diff", "/nonexistent/a.tar.gz", REAL],
      ["drift", "/nonexistent/a.tar.gz", REAL],
      ["project", "/nonexistent/p.txt", "--rules", "/nonexistent/r.json"],
      ["claims", "/nonexistent/drift.json"],
      ["fidelity", "/nonexistent/h.json"],
    ];
    const seen = [];
    for (const args of commands) {
      const [human, machine] = await Promise.all([runAssay(args), runAssay([...args, "--json"])]);
      const document = JSON.parse(machine.stdout) as { error: { message: string; exit_code: number } };
      seen.push([
        args[0],
        human.exitCode,
        machine.exitCode,
        document.error.exit_code,
        human.stderr === machine.stderr,
        human.stderr.includes(document.error.message),
      ]);
    }
    expect(seen).toEqual(commands.map(([name]) => [name, name === "drift" ? 3 : 2, name === "drift" ? 3 : 2, name === "drift" ? 3 : 2, true, true]));
  });

  test("an unknown flag is the same short answer for every command", async () => {
    const answers = await Promise.all(COMMANDS.map((command) => runAssay([command, "--no-such-flag"])));
    expect(answers).toEqual(
      COMMANDS.map((command) => ({ stdout: "", stderr: `[error] unknown flag --no-such-flag\nsee assay-runner ${command} --help\n`, exitCode: 2 })),
    );
  });

  test("the README's exit-code table is the table every --help is rendered from", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    expect(readme.includes(renderExitCodeMarkdown())).toBe(true);
  });
});
