import { FINDING_RULES, type CheckReport, type FindingRule } from "../schema/index.ts";

/** What the SARIF log says about the tool and where results point. */
export interface SarifOptions {
  /** URI of the baseline file, relative to the repository root: every result points at it. */
  readonly baselineUri: string;
}

/** Short and full descriptions of each finding rule, for the SARIF driver and step summaries. */
export const RULE_TEXT: Readonly<Record<FindingRule, { readonly name: string; readonly short: string; readonly help: string }>> = {
  "new-exec": {
    name: "NewExec",
    short: "A program no baseline run executed",
    help: "Review the program; if expected, add the run to the baseline (`assay-runner baseline --merge`).",
  },
  "new-write": { name: "NewWrite", short: "A write to a path no baseline run wrote", help: "Review the write; if expected, merge the run into the baseline." },
  "new-endpoint": {
    name: "NewEndpoint",
    short: "A network endpoint no baseline run reached",
    help: "Review the connection; declare its class in the projection rules or merge the run.",
  },
  "new-network-class": {
    name: "NewNetworkClass",
    short: "A network class no baseline run reached",
    help: "Review the class of traffic; if expected, merge the run into the baseline.",
  },
  "new-path-class": {
    name: "NewPathClass",
    short: "A class of paths no baseline run touched",
    help: "Review the files; if expected, merge the run into the baseline.",
  },
  "observation-health": {
    name: "ObservationHealth",
    short: "Observation health cannot support a claim that nothing new happened",
    help: "The kernel layer was partial or absent (drops, no capture backend, a partial cgroup): rerun with a working capture backend.",
  },
};

/** GitHub code scanning rejects a run with more results than this; the first ones are kept. */
export const MAX_RESULTS = 25_000;

/** Renders a check report as a SARIF 2.1.0 log: one result per finding, stable rule ids, fingerprints. */
export function renderSarif(report: CheckReport, options: SarifOptions): string {
  const rules = FINDING_RULES.map((id) => ({
    id,
    name: RULE_TEXT[id].name,
    shortDescription: { text: RULE_TEXT[id].short },
    help: { text: RULE_TEXT[id].help },
    defaultConfiguration: { level: "error" },
  }));
  const results = report.findings.slice(0, MAX_RESULTS).map((f) => ({
    ruleId: f.rule,
    ruleIndex: FINDING_RULES.indexOf(f.rule),
    level: f.level,
    message: { text: `${f.message} (run ${report.run_id})` },
    locations: [{ physicalLocation: { artifactLocation: { uri: options.baselineUri }, region: { startLine: 1 } } }],
    partialFingerprints: { "assayFinding/v1": f.fingerprint },
    properties: { subject: f.subject, ...(f.class === undefined ? {} : { class: f.class }) },
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "assay-runner", rules } },
        automationDetails: { id: "assay-runner/check/" },
        results,
        properties: {
          run_id: report.run_id,
          manifest_digest: report.manifest_digest,
          baseline_runs: report.baseline_runs,
          findings: report.findings.length,
          ...(report.findings.length > MAX_RESULTS ? { results_truncated_to: MAX_RESULTS } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
