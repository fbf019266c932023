// The composite action's steps, run as scripts against a fake GITHUB_* environment: GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_PATH are files in a temporary directory, as on a runner.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeShapeArchive, type RunShape } from "../review/_runs.ts";
import { assayEnv, assayExe, host, repoRoot, runAssay, skipReason, tempDir } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "action script tests need the compiled binary (bun scripts/build.ts)");

interface Step {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** A fake runner: its temp dir, workspace and command files. */
function fakeRunner(root: string): Record<string, string> {
  for (const d of ["temp", "workspace"]) mkdirSync(join(root, d), { recursive: true });
  return {
    RUNNER_TEMP: join(root, "temp"),
    GITHUB_WORKSPACE: join(root, "workspace"),
    GITHUB_OUTPUT: join(root, "output.txt"),
    GITHUB_STEP_SUMMARY: join(root, "summary.md"),
    GITHUB_PATH: join(root, "path.txt"),
    GITHUB_ACTION_PATH: repoRoot,
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_JOB: "evidence",
  };
}

async function step(script: string, env: Record<string, string>): Promise<Step> {
  await Bun.write(env.GITHUB_OUTPUT!, "");
  await using proc = Bun.spawn(["bash", join(repoRoot, "action", script)], {
    cwd: env.GITHUB_WORKSPACE!,
    env: { ...assayEnv, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const outputs = Object.fromEntries(
    readFileSync(env.GITHUB_OUTPUT!, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const summary = existsSync(env.GITHUB_STEP_SUMMARY!) ? readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8") : "";
  return { exitCode, stdout, stderr, outputs, summary };
}

describe("action.yml", () => {
  test("is a composite action whose run steps call existing scripts and whose expressions name declared inputs and steps", () => {
    const action = Bun.YAML.parse(readFileSync(join(repoRoot, "action.yml"), "utf8")) as any;
    const steps: any[] = action.runs.steps;
    const text = readFileSync(join(repoRoot, "action.yml"), "utf8");
    const inputs = [...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!);
    const stepRefs = [...text.matchAll(/steps\.([a-z]+)\.outputs/g)].map((m) => m[1]!);
    const scripts = steps.filter((s) => s.run).map((s) => /action\/([a-z]+\.sh)/.exec(s.run)?.[1]);
    expect({
      using: action.runs.using,
      scripts: scripts.map((s) => [s, s !== undefined && (statSync(join(repoRoot, "action", s)).mode & 0o111) !== 0]),
      undeclaredInputs: [...new Set(inputs)].filter((i) => !(i in action.inputs)),
      unknownSteps: [...new Set(stepRefs)].filter((id) => !steps.some((s) => s.id === id)),
      uses: steps.filter((s) => s.uses).map((s) => s.uses.split("@")[0]),
    }).toEqual({
      using: "composite",
      scripts: [
        ["install.sh", true],
        ["run.sh", true],
        ["check.sh", true],
        ["finish.sh", true],
      ],
      undeclaredInputs: [],
      unknownSteps: [],
      uses: ["actions/upload-artifact", "github/codeql-action/upload-sarif"],
    });
  });
});

describe("action scripts against a fake runner", () => {
  test.skipIf(noBinary)("install puts the given binary on GITHUB_PATH; run records the archive and the workload's exit code without failing", async () => {
    using dir = tempDir("action-run");
    const env = fakeRunner(dir.path);
    const installed = await step("install.sh", { ...env, INPUT_BINARY: assayExe() });
    const bin = installed.outputs.path!;
    expect([installed.exitCode, bin, readFileSync(env.GITHUB_PATH!, "utf8")]).toEqual([
      0,
      join(env.RUNNER_TEMP!, "assay-runner/bin/assay-runner"),
      `${join(env.RUNNER_TEMP!, "assay-runner/bin")}\n`,
    ]);

    const ran = await step("run.sh", { ...env, ASSAY_BIN: bin, INPUT_CAPTURE: "none", INPUT_COMMAND: "echo built > out.txt" });
    const failed = await step("run.sh", { ...env, ASSAY_BIN: bin, INPUT_CAPTURE: "none", INPUT_COMMAND: "exit 3", GITHUB_RUN_ATTEMPT: "2" });
    expect({
      ran: [
        ran.exitCode,
        ran.outputs["exit-code"],
        ran.outputs["run-id"],
        existsSync(ran.outputs.archive!),
        readFileSync(join(env.GITHUB_WORKSPACE!, "out.txt"), "utf8"),
      ],
      failed: [failed.exitCode, failed.outputs["exit-code"], existsSync(failed.outputs.archive!)],
      verify: (await runAssay(["verify", ran.outputs.archive!])).exitCode,
    }).toEqual({ ran: [0, "0", "run_4242_1_evidence", true, "built\n"], failed: [0, "3", true], verify: 0 });

    const bad = await step("install.sh", { ...env, INPUT_BINARY: join(dir.path, "missing") });
    expect([bad.exitCode, bad.stdout.startsWith("::error title=assay-runner install::")]).toEqual([2, true]);
  });

  test.skipIf(noBinary)("check writes the report, SARIF, step summary and annotations; finish fails the job only after the uploads would run", async () => {
    using dir = tempDir("action-check");
    const env = fakeRunner(dir.path);
    const base: RunShape = { runId: "run_act1", reads: ["/srv/in.txt"], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9"] };
    mkdirSync(join(env.RUNNER_TEMP!, "out"), { recursive: true });
    const good = await writeShapeArchive(join(env.RUNNER_TEMP!, "out"), base);
    const common = { ...env, ASSAY_BIN: assayExe(), INPUT_BASELINE: ".assay/baseline.json" };

    const first = await step("check.sh", { ...common, ASSAY_ARCHIVE: good });
    expect([first.exitCode, first.outputs.outcome, existsSync(first.outputs.report!), first.summary.startsWith("## assay-runner: no baseline yet")]).toEqual([
      0,
      "no-baseline",
      true,
      true,
    ]);

    mkdirSync(join(env.GITHUB_WORKSPACE!, ".assay"));
    expect((await runAssay(["baseline", good, "-o", join(env.GITHUB_WORKSPACE!, ".assay/baseline.json")])).exitCode).toBe(0);
    await Bun.write(env.GITHUB_STEP_SUMMARY!, "");
    const inside = await step("check.sh", { ...common, ASSAY_ARCHIVE: good });
    const bad = await writeShapeArchive(join(env.RUNNER_TEMP!, "out"), { ...base, runId: "run_act2", writes: ["/w/out.txt", "/w/secret.txt"] });
    const outside = await step("check.sh", { ...common, ASSAY_ARCHIVE: bad });
    const sarif = JSON.parse(readFileSync(outside.outputs.sarif!, "utf8"));
    expect({
      inside: [inside.exitCode, inside.outputs.outcome, inside.stdout],
      outside: [
        outside.exitCode,
        outside.outputs.outcome,
        outside.stdout.split("\n").filter((l) => l.startsWith("::error file=.assay/baseline.json,line=1,")).length,
      ],
      summary: outside.summary.includes("| `new-write` | ` /w/secret.txt ` |"),
      sarif: sarif.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri]),
    }).toEqual({
      inside: [0, "inside", ""],
      outside: [0, "outside", 1],
      summary: true,
      sarif: [["new-write", ".assay/baseline.json"]],
    });

    const finish = async (vars: Record<string, string>) => (await step("finish.sh", { ...env, ...vars })).exitCode;
    expect([
      await finish({ WORKLOAD_EXIT: "0", CHECK_OUTCOME: "inside" }),
      await finish({ WORKLOAD_EXIT: "0", CHECK_OUTCOME: "outside" }),
      await finish({ WORKLOAD_EXIT: "0", CHECK_OUTCOME: "outside", INPUT_FAIL_ON_FINDINGS: "false" }),
      await finish({ WORKLOAD_EXIT: "3", CHECK_OUTCOME: "inside" }),
      await finish({ WORKLOAD_EXIT: "0", CHECK_OUTCOME: "no-baseline" }),
    ]).toEqual([0, 1, 0, 3, 0]);
  });
});
