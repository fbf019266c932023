import type { CommandMeta } from "citty";

// Kept apart from the commands' code, so that the root --help lists every command without loading
// any of them (start-up budget: --help loads nothing it does not print).

/** The name and description of every command. */
export const COMMAND_META = {
  run: {
    name: "run",
    description:
      "Run a workload in its own cgroup v2 session and write one evidence archive. " +
      "The workload command comes after --; the archive path is checked before anything runs.",
  },
  verify: {
    name: "verify",
    description:
      "Check an evidence archive (.tar.gz or extracted directory): exact member set, manifest digests over the exact bytes, " +
      "every document and NDJSON row against its schema, one run id throughout. " +
      "An archive that cannot be read whole (not gzip, truncated) is unreadable input, as for every command.",
  },
  validate: {
    name: "validate",
    description:
      'Check one assay.runner.* document or NDJSON layer against its schema (chosen by each document\'s "schema" field). ' +
      "An empty file holds nothing to check and is an error (an empty layer is checked inside its archive by verify).",
  },
  inspect: {
    name: "inspect",
    description:
      "Summarize an evidence archive (.tar.gz or extracted directory): run id, command, exit, health, rows per layer, surface sizes, " +
      "redaction tally, manifest digest. Does not verify (use verify); an archive that cannot be read whole is unreadable input.",
  },
  project: {
    name: "project",
    description:
      "Project raw paths and network endpoints onto reviewer vocabulary (workdir/input, runtime_package, dns, ...) " +
      "with a rules file; the raw evidence is never changed. Input: an archive (.tar.gz), an extracted archive directory, " +
      "a capability-surface.json, a UTF-8 text file with one path per line, or - for such lines on stdin. " +
      "Text input streams in constant memory with --format ndjson or summary.",
  },
  diff: {
    name: "diff",
    description:
      "Diff the capability surface of two runs (assay.runner.capability_diff.v0), or of two runtimes with --cross-runtime " +
      "(assay.runner.cross_runtime_diff.v0). Each side is an archive .tar.gz, an extracted directory, or explicit files. " +
      "The diff is printed on stdout (or written to --output); when it is not clean, stderr says why in plain words.",
  },
  drift: {
    name: "drift",
    description:
      "Compare two runs' evidence archives and report runtime drift (assay.runner.runtime_drift.v0.2, JSON + Markdown). " +
      "Each side is an archive .tar.gz or an extracted directory; only manifest.json and capability-surface.json are required. " +
      "An unreadable archive exits 3, as upstream's drift does.",
  },
  fidelity: {
    name: "fidelity",
    description:
      "Derive the fidelity verdict (assay.runner.fidelity_verdict.v0) of one run's observation health: " +
      "clean, clipped, correlation_partial, not_applicable or failed, and which claims it lets through. " +
      "The verdict document is printed on stdout (exit 0 for every verdict); a verdict other than clean is explained on stderr.",
  },
  claims: {
    name: "claims",
    description:
      "Print what evidence can support: the claim-support table (assay.runner.claim_support_parity.v0, default), " +
      "the five seed coverage descriptors (--descriptors), or the coverage annotation of a runtime-drift v0.2 report " +
      "(assay.coverage_aware_drift.annotation.v0, sorted keys, as upstream's annotate_drift.py), optionally gated by --assert-claim.",
  },
  doctor: {
    name: "doctor",
    description:
      "Say what this host can capture and why not: cgroup v2 mount and write permission, privileges, the native eBPF engine (bpf() syscall, ring buffers, a real program load), " +
      "tracefs, BTF, Yama ptrace scope, strace. Exit 0 when some kernel capture works, 40 otherwise.",
  },
  attest: {
    name: "attest",
    description:
      "Write an in-toto runtime-trace statement for an evidence archive, optionally signed into a DSSE envelope. " +
      "Its subjects are the archive file and its manifest; its predicate names the capture backend, hooks and redaction, " +
      "the observation health, and a bounded summary of the execs, network peers and files (at most 1,000,000 bytes). " +
      "An archive that does not verify is not attested.",
  },
  "verify-attestation": {
    name: "verify-attestation",
    description:
      "Check a runtime-trace statement, DSSE envelope or Sigstore bundle v0.3 against its evidence archive. " +
      "It checks the signature (with --key, or a bundle's own certificate), that a subject is the archive file, that the archive " +
      "verifies, and that the predicate is the one the archive gives. Keyless identity (which workflow signed through Sigstore) " +
      "and transparency-log entries are checked by gh attestation verify, not here.",
  },
  "egress-policy": {
    name: "egress-policy",
    description:
      "Derive an egress policy (assay.runner.egress_policy.v0) from what a set of archives observed: " +
      "endpoints with a DNS name are allowed by name and port, the others as ip:port. The output is canonical: " +
      "the same archives in any order give the same bytes and digest. The policy goes to --output or stdout; its digest to stderr.",
  },
  baseline: {
    name: "baseline",
    description:
      "Build a reviewed allowlist (assay.runner.baseline.v0) from observed runs: the union of their projected " +
      "path classes, paths (unknown paths collapsed into globs), programs, network classes and endpoints, " +
      "each entry counting the runs that saw it. The same runs in any order give the same bytes; " +
      "--merge adds runs after the reviewed entries without reordering them.",
  },
  check: {
    name: "check",
    description:
      "Report what a run did outside a baseline: new programs, writes, endpoints, network and path classes; " +
      "and fail when the run's observation health cannot support a claim that nothing new happened. " +
      "With GITHUB_ACTIONS=true also append a Markdown summary to $GITHUB_STEP_SUMMARY and print " +
      "::error workflow commands. Exit 1 when the run went outside the baseline.",
  },
  report: {
    name: "report",
    description:
      "Write one self-contained HTML report of a run (no network fetches, no external assets): run facts and " +
      "health, processes, files by class (writes first), endpoints, SDK and policy layers with correlation, " +
      "and findings against a baseline or another run.",
  },
} as const satisfies Record<string, CommandMeta>;

/** The name of a command. */
export type CommandName = keyof typeof COMMAND_META;
