// forEachRun in process: the worker gives runs equal to the main thread's, handed over in the order given.
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileReviewRules, readReviewRules } from "../../src/cli/_review-io.ts";
import { forEachRun } from "../../src/cli/_review-runs.ts";
import { PathProjector, type RunCapabilities } from "../../src/review/index.ts";
import { tempDir } from "../harness.ts";
import { writeShapeArchive } from "../review/_runs.ts";

const knob = process.env.ASSAY_REVIEW_PARALLEL;
afterEach(() => {
  if (knob === undefined) delete process.env.ASSAY_REVIEW_PARALLEL;
  else process.env.ASSAY_REVIEW_PARALLEL = knob;
});

async function collect(archives: string[], parallel: "0" | "1") {
  process.env.ASSAY_REVIEW_PARALLEL = parallel;
  const rules = readReviewRules(undefined);
  const projector = new PathProjector(compileReviewRules(rules, "<default rules>"));
  const seen: [string, RunCapabilities][] = [];
  const { fromWorker } = await forEachRun(archives, { rules, file: "<default rules>", projector }, (archive, run) => void seen.push([archive, run]));
  const runs = seen.map(([archive, run]) => ({ archive, run: { ...run, paths: [...run.paths], endpoints: [...run.endpoints] } }));
  return { fromWorker, runs };
}

describe("forEachRun", () => {
  test("a worker gives some runs; every run, and their order, equal one thread's", async () => {
    using dir = tempDir("review-runs");
    const archives: string[] = [];
    for (let i = 0; i < 8; i++)
      archives.push(
        await writeShapeArchive(dir.path, {
          runId: `run_f${i}`,
          reads: [`/srv/f${i}/a.txt`, "/usr/lib/x86_64-linux-gnu/libc.so.6"],
          writes: [`/w/f${i}.txt`],
          execs: ["/usr/bin/sh"],
          endpoints: [`127.0.0.${i + 1}:9`],
        }),
      );
    const one = await collect(archives, "0");
    const two = await collect(archives, "1");
    expect(one.fromWorker).toBe(0);
    expect(two.fromWorker).toBeGreaterThan(0);
    expect(two.runs).toEqual(one.runs);
    expect(one.runs.map((r) => r.archive)).toEqual(archives);
  });

  test("a broken archive fails with the error one thread reports", async () => {
    using dir = tempDir("review-runs");
    const archives: string[] = [];
    for (let i = 0; i < 5; i++) archives.push(await writeShapeArchive(dir.path, { runId: `run_g${i}`, reads: ["/srv/a.txt"] }));
    const broken = join(dir.path, "broken.tar.gz");
    writeFileSync(broken, "not gzip");
    archives.splice(3, 0, broken);
    const failure = async (parallel: "0" | "1") =>
      collect(archives, parallel).then(
        () => "no error",
        (error: Error) => error.message,
      );
    const message = await failure("0");
    expect(message).toContain(broken);
    expect(await failure("1")).toBe(message);
  });
});
