import { fidelityVerdict } from "../compare/index.ts";
import { compareCodePoints } from "../evidence/index.ts";
import { CHECK_REPORT_SCHEMA, type Baseline, type CheckReport, type Finding, type FindingRule } from "../schema/index.ts";
import { PatternMatcher } from "./pattern-matcher.ts";
import type { ProjectedRun } from "./project-run.ts";

/**
 * Reports what a run did outside a baseline: programs, writes, endpoints, network and path classes
 * no baseline run had; and, first, a health finding when the run's observation health cannot support
 * a claim that nothing else happened (a partial or absent kernel layer, drops, a partial cgroup).
 */
export function checkRun(run: ProjectedRun, baseline: Baseline): CheckReport {
  const findings: Finding[] = [];
  const health = healthFinding(run.evidence.healthJson);
  if (health !== undefined) findings.push(health);

  const pathClasses = new Set(baseline.path_classes.map((c) => c.class));
  const newClasses = new Set<string>();
  const paths = new PatternMatcher(baseline.paths);
  let writes = 0;
  const newWrites: Finding[] = [];
  for (const [value, p] of run.paths) {
    if (!pathClasses.has(p.pathClass)) newClasses.add(p.pathClass);
    if (!p.write) continue;
    writes++;
    if (paths.find(value, true) >= 0) continue;
    const raw = p.raw.length === 1 && p.raw[0] === value ? "" : ` (raw ${p.raw.join(", ")})`;
    newWrites.push(finding("new-write", value, `wrote ${value}${raw}, class ${p.pathClass}: no baseline run wrote there`, p.pathClass));
  }
  for (const c of newClasses) findings.push(finding("new-path-class", c, `opened paths of class ${c}, which no baseline run touched`));
  findings.push(...newWrites);

  const execs = new PatternMatcher(baseline.execs);
  for (const exec of new Set(run.execs)) if (execs.find(exec) < 0) findings.push(finding("new-exec", exec, `executed ${exec}, which no baseline run executed`));

  const endpoints = new Set(baseline.endpoints.map((e) => e.endpoint));
  const networkClasses = new Set(baseline.network_classes.map((c) => c.class));
  for (const [endpoint, networkClass] of run.endpoints) {
    if (networkClass === "unknown") {
      if (!endpoints.has(endpoint)) findings.push(finding("new-endpoint", endpoint, `connected to ${endpoint}, which no baseline run reached`, networkClass));
    } else if (!networkClasses.has(networkClass)) {
      findings.push(
        finding("new-network-class", networkClass, `reached network class ${networkClass} (${endpoint}), which no baseline run reached`, networkClass),
      );
    }
  }
  findings.sort(byFinding);
  return {
    schema: CHECK_REPORT_SCHEMA,
    run_id: run.evidence.runId,
    manifest_digest: run.evidence.manifestDigest,
    baseline_runs: baseline.run_count,
    status: findings.length === 0 ? "inside" : "outside",
    counts: { paths: run.paths.size, writes, execs: new Set(run.execs).size, endpoints: run.endpoints.size },
    findings,
  };
}

/** Stable identity of a finding across runs and baselines: sha256 of its rule and subject. */
export function fingerprintOf(rule: FindingRule, subject: string): string {
  return new Bun.CryptoHasher("sha256").update(`${rule}\u0000${subject}`).digest("hex");
}

/** The health finding of a run, or undefined when its health supports bounded negative claims. */
export function healthFinding(healthJson: unknown): Finding | undefined {
  if (healthJson === undefined) {
    return finding(
      "observation-health",
      "observation-health.json",
      "the archive has no observation health, so nothing can be said about what the run did not do",
    );
  }
  const verdict = fidelityVerdict(healthJson);
  if (verdict.claim_gate.bounded_negative_claims === "allowed") return undefined;
  const reasons = verdict.reasons.map((r) => `${r.field}=${r.observed} (${r.rule})`).join("; ");
  const subject = verdict.reasons.map((r) => r.field).join(",") || verdict.verdict;
  return finding(
    "observation-health",
    subject,
    `observation health does not support a claim of absence: fidelity verdict ${verdict.verdict}, bounded negative claims ${verdict.claim_gate.bounded_negative_claims}${reasons ? `: ${reasons}` : ""}`,
  );
}

// --- internal ---

const RULE_ORDER = new Map<string, number>(
  ["observation-health", "new-exec", "new-write", "new-endpoint", "new-network-class", "new-path-class"].map((r, i) => [r, i]),
);

function byFinding(a: Finding, b: Finding): number {
  return RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)! || compareCodePoints(a.subject, b.subject);
}

function finding(rule: FindingRule, subject: string, message: string, cls?: string): Finding {
  return { rule, level: "error", subject, ...(cls === undefined ? {} : { class: cls }), message, fingerprint: fingerprintOf(rule, subject) };
}
