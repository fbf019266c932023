import { describe, expect, test } from "bun:test";
import { buildBaseline, checkRun, renderSarif, renderStepSummary, renderWorkflowCommands } from "../../src/review/index.ts";
import { sarifValidator } from "./_sarif.ts";
import { BUILTIN_RULES, projected, type RunShape } from "./_runs.ts";

const base: RunShape = { runId: "b1", reads: ["/srv/in.txt"], writes: ["/w/out.txt"], execs: ["/usr/bin/sh"], endpoints: ["127.0.0.1:9"] };
const baseline = buildBaseline(BUILTIN_RULES, projected([base])).baseline;
const head = checkRun(
  projected([
    { ...base, runId: "h1", writes: ["/w/out.txt", "/w/new|1.txt"], endpoints: ["127.0.0.1:9", "127.0.0.1:10"], kernelLayer: "partial_ringbuf_drops" },
  ])[0]!,
  baseline,
);

describe("renderSarif", () => {
  const validate = sarifValidator();

  test("writes a log the SARIF 2.1.0 schema accepts, one result per finding with rule id and fingerprint", () => {
    const log = JSON.parse(renderSarif(head, { baselineUri: ".assay/baseline.json" }));
    const results = log.runs[0].results;
    expect({
      errors: validate(log),
      results: results.map((r: any) => [
        r.ruleId,
        log.runs[0].tool.driver.rules[r.ruleIndex].id,
        r.partialFingerprints["assayFinding/v1"],
        r.locations[0].physicalLocation.artifactLocation.uri,
      ]),
    }).toEqual({
      errors: [],
      results: head.findings.map((f) => [f.rule, f.rule, f.fingerprint, ".assay/baseline.json"]),
    });
    expect(results.length).toBe(3);
  });

  test("the schema check catches a broken log (the validator can fail)", () => {
    const log = JSON.parse(renderSarif(head, { baselineUri: "b.json" }));
    delete log.runs[0].tool.driver.name;
    log.runs[0].results[0].level = "fatal";
    expect(validate(log).length).toBeGreaterThanOrEqual(2);
  });
});

describe("GitHub surfaces", () => {
  test("the step summary has one table row per finding, with pipes escaped", () => {
    const md = renderStepSummary(head, "b.json");
    const rows = md.split("\n").filter((l) => l.startsWith("| `"));
    expect([md.split("\n")[0], rows.length, rows.some((r) => r.includes("new\\|1.txt"))]).toEqual([
      "## assay-runner check: 3 findings outside the baseline",
      3,
      true,
    ]);
  });

  test("one ::error command per finding, with properties and data escaped", () => {
    const lines = renderWorkflowCommands(head, "dir/b,1.json").trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, l.indexOf("title=")))).toEqual(Array(3).fill("::error file=dir/b%2C1.json,line=1,"));
    expect(lines[0]!.split("::")[2]).toStartWith("observation health does not support a claim of absence");
  });
});

describe("output caps", () => {
  const many = checkRun(projected([{ ...base, runId: "h_many", execs: Array.from({ length: 600 }, (_, i) => `/usr/bin/tool${i}`) }])[0]!, baseline);

  test("the step summary lists 500 findings and says how many more; annotations stop at 50 with one warning", () => {
    const md = renderStepSummary(many, "b.json");
    const lines = renderWorkflowCommands(many, "b.json").trimEnd().split("\n");
    expect({
      rows: md.split("\n").filter((l) => l.startsWith("| `new-exec`")).length,
      more: md.includes("… and 100 more"),
      errors: lines.filter((l) => l.startsWith("::error ")).length,
      last: lines.at(-1),
    }).toEqual({
      rows: 500,
      more: true,
      errors: 50,
      last: "::warning title=assay-runner check::550 more findings are not annotated; see the step summary or the SARIF results",
    });
  });

  test("SARIF keeps every finding up to GitHub's 25 000 results and says how many there were", () => {
    const log = JSON.parse(renderSarif(many, { baselineUri: "b.json" }));
    expect([log.runs[0].results.length, log.runs[0].properties.findings, log.runs[0].properties.results_truncated_to]).toEqual([600, 600, undefined]);
  });
});
