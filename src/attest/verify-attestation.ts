import * as v from "valibot";
import { canonicalJson, parseJson, type JsonValue } from "../evidence/index.ts";
import { readArchiveFacts, sha256File, type ArchiveFacts } from "./archive-facts.ts";
import { buildPredicate } from "./build-statement.ts";
import { IN_TOTO_PAYLOAD_TYPE, MONITOR_TYPE_PREFIX, RUNTIME_TRACE_TYPES, type RuntimeTraceType } from "./constants.ts";
import { verifyEnvelope } from "./dsse.ts";
import { AttestInputError } from "./errors.ts";
import { readAttestation, type AttestationDocument } from "./read-attestation.ts";
import type { VerifyingKey } from "./signing-key.ts";
import { RuntimeTracePredicateSchema, StatementSchema, type Statement } from "./statement-schema.ts";

/** One check verify-attestation made. */
export interface AttestationCheck {
  readonly check: "signature" | "statement" | "subject" | "archive" | "surface" | "predicate";
  readonly ok: boolean;
  readonly message: string;
}

/** The outcome of checking an attestation against an archive. */
export interface AttestationReport {
  readonly attestation: string;
  readonly archive: string;
  readonly kind: AttestationDocument["kind"];
  /** `verified` with the given key or the bundle's certificate, `failed`, or `unsigned`. */
  readonly signature: "verified" | "failed" | "unsigned";
  /** Set when the key came from a bundle's certificate: who it names, which nobody checked here. */
  readonly certificateIdentity?: string;
  readonly predicateType: string | undefined;
  readonly ok: boolean;
  readonly checks: readonly AttestationCheck[];
}

/**
 * Checks an attestation (statement, DSSE envelope or Sigstore bundle v0.3) against an archive: the
 * signature when there is one (with `key`, or a bundle's own certificate), that a subject digest is
 * the archive file's (and the manifest subject, when present, its manifest's), and that the
 * predicate is the one this archive gives. Throws AttestInputError only for unreadable input.
 */
export async function verifyAttestation(input: {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly archivePath: string;
  readonly key: VerifyingKey | undefined;
}): Promise<AttestationReport> {
  const { file, archivePath, key } = input;
  const document = readAttestation(input.bytes, file);
  const checks: AttestationCheck[] = [];
  const signature = checkSignature(document, key, checks);
  const statement = parseStatement(document, file, signature === "failed", checks);
  // The facts carry the file digest; only an archive that does not verify needs it hashed apart.
  let facts: ArchiveFacts | undefined;
  let archiveProblem: string | undefined;
  try {
    facts = await readArchiveFacts(archivePath);
  } catch (error) {
    if (!(error instanceof AttestInputError && error.code === "ARCHIVE_NOT_ATTESTABLE")) throw error;
    archiveProblem = error.message;
  }
  const archiveSha256 = facts?.archiveSha256 ?? (await archiveDigest(archivePath));
  const base = {
    attestation: file,
    archive: archivePath,
    kind: document.kind,
    signature,
    ...(document.kind === "bundle" && key === undefined && document.certificateKey?.certificate !== undefined
      ? { certificateIdentity: identityOf(document.certificateKey) }
      : {}),
    predicateType: statement?.predicateType,
  };
  if (statement === undefined) return { ...base, ok: false, checks };
  const subject = statement.subject.find((rd) => rd.digest?.sha256 === archiveSha256);
  checks.push(
    subject !== undefined
      ? { check: "subject", ok: true, message: `subject ${JSON.stringify(subject.name ?? "_")} is the archive (sha256 ${archiveSha256})` }
      : {
          check: "subject",
          ok: false,
          message: `no subject has the archive's digest sha256:${archiveSha256} (subjects: ${statement.subject.map((rd) => `${rd.name ?? "_"} sha256:${rd.digest?.sha256 ?? "?"}`).join(", ")})`,
        },
  );
  if (facts === undefined) {
    checks.push({ check: "archive", ok: false, message: archiveProblem ?? "the archive does not verify" });
    return { ...base, ok: false, checks };
  }
  checks.push({ check: "archive", ok: true, message: `the archive verifies (run ${facts.runId}, manifest sha256:${facts.manifestSha256})` });
  const manifestSubject = statement.subject.find((rd) => rd.name === "manifest.json");
  if (manifestSubject !== undefined && manifestSubject.digest?.sha256 !== facts.manifestSha256) {
    checks.push({
      check: "subject",
      ok: false,
      message: `subject "manifest.json" has sha256:${manifestSubject.digest?.sha256 ?? "?"}, the archive's manifest sha256:${facts.manifestSha256}`,
    });
  }
  checks.push(compareSurface(statement, facts));
  checks.push(...comparePredicate(statement, { ...facts, archiveName: subject?.name ?? facts.archiveName }));
  return { ...base, ok: checks.every((check) => check.ok), checks };
}

// --- internal ---

function checkSignature(document: AttestationDocument, key: VerifyingKey | undefined, checks: AttestationCheck[]): AttestationReport["signature"] {
  if (document.kind === "statement") {
    if (key !== undefined) {
      checks.push({ check: "signature", ok: false, message: "the statement is unsigned, but --key asks for a signature check" });
      return "failed";
    }
    return "unsigned";
  }
  const envelope = document.envelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    checks.push({
      check: "signature",
      ok: false,
      message: `payloadType is ${JSON.stringify(envelope.payloadType)}, expected ${JSON.stringify(IN_TOTO_PAYLOAD_TYPE)}`,
    });
    return "failed";
  }
  const verifier = key ?? (document.kind === "bundle" ? document.certificateKey : undefined);
  if (verifier === undefined) {
    checks.push({
      check: "signature",
      ok: false,
      message: "the envelope is signed, but no key was given to check it: pass --key PUB (a PEM public key or certificate)",
    });
    return "failed";
  }
  if (!verifyEnvelope(envelope, verifier.publicKey)) {
    checks.push({
      check: "signature",
      ok: false,
      message: `no signature verifies with the ${verifier.algorithm} key ${verifier.keyId}${key === undefined ? " of the bundle's certificate" : ""}`,
    });
    return "failed";
  }
  const where =
    key === undefined
      ? `the bundle's certificate (${identityOf(verifier)}; its identity is not checked offline: use gh attestation verify)`
      : `key ${verifier.keyId}`;
  checks.push({ check: "signature", ok: true, message: `DSSE signature (${verifier.algorithm}) verifies with ${where}` });
  return "verified";
}

function parseStatement(document: AttestationDocument, file: string, signatureFailed: boolean, checks: AttestationCheck[]): Statement | undefined {
  let value: JsonValue;
  try {
    value = parseJson(new TextDecoder("utf-8", { fatal: true }).decode(document.payload));
  } catch (cause) {
    // Signed bytes that are not JSON: a tampered payload is a mismatch, an unsigned one unreadable.
    if (signatureFailed) {
      checks.push({ check: "statement", ok: false, message: `the payload is not JSON (${cause instanceof Error ? cause.message : String(cause)})` });
      return undefined;
    }
    throw new AttestInputError(
      "ATTESTATION_UNREADABLE",
      file,
      `${file}: the statement is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const parsed = v.safeParse(StatementSchema, value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    if (signatureFailed) {
      checks.push({ check: "statement", ok: false, message: `not an in-toto Statement v1: ${path ? `${path}: ` : ""}${issue.message}` });
      return undefined;
    }
    throw new AttestInputError("ATTESTATION_UNREADABLE", file, `${file}: not an in-toto Statement v1: ${path ? `${path}: ` : ""}${issue.message}`);
  }
  const statement = parsed.output;
  if (!(RUNTIME_TRACE_TYPES as readonly string[]).includes(statement.predicateType)) {
    checks.push({
      check: "statement",
      ok: false,
      message: `predicateType is ${JSON.stringify(statement.predicateType)}, expected one of ${RUNTIME_TRACE_TYPES.join(", ")}`,
    });
    return undefined;
  }
  const predicate = v.safeParse(RuntimeTracePredicateSchema, statement.predicate ?? {});
  if (!predicate.success) {
    const issue = predicate.issues[0];
    checks.push({ check: "statement", ok: false, message: `predicate is not a runtime-trace predicate: ${v.getDotPath(issue) ?? ""}: ${issue.message}` });
    return undefined;
  }
  checks.push({ check: "statement", ok: true, message: `in-toto Statement v1, predicateType ${statement.predicateType}` });
  return statement;
}

async function archiveDigest(path: string): Promise<string> {
  try {
    return await sha256File(path);
  } catch (cause) {
    throw new AttestInputError("ARCHIVE_UNREADABLE", path, `cannot read archive ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

// Rebuilds the predicate from the archive with what the archive cannot say taken from the
// statement (the predicate version, the producing tool's version, the monitored job), then
// compares each section's exact JSON.
function comparePredicate(statement: Statement, facts: ArchiveFacts): AttestationCheck[] {
  const predicate = v.parse(RuntimeTracePredicateSchema, statement.predicate ?? {});
  const monitorType = predicate.monitor.type;
  if (!monitorType.startsWith(MONITOR_TYPE_PREFIX)) {
    return [
      {
        check: "predicate",
        ok: false,
        message: `monitor.type is ${JSON.stringify(monitorType)}: not an assay-runner predicate, so its contents cannot be recomputed`,
      },
    ];
  }
  const rebuilt = buildPredicate(facts, {
    predicateType: statement.predicateType as RuntimeTraceType,
    toolVersion: monitorType.slice(MONITOR_TYPE_PREFIX.length),
    monitoredProcess: predicate.monitoredProcess,
  });
  const given = statement.predicate ?? {};
  const differing = Object.keys(rebuilt).filter(
    (section) => section !== "monitoredProcess" && canonicalJson(given[section] ?? null) !== canonicalJson(rebuilt[section]),
  );
  if (differing.length === 0)
    return [{ check: "predicate", ok: true, message: "the predicate (trace policy, monitor log, observation health, run) is the one this archive gives" }];
  return differing.map((section) => ({
    check: "predicate",
    ok: false,
    message: `predicate.${section} differs from what the archive gives${firstDifference(given[section], rebuilt[section])}`,
  }));
}

// The monitorLog's observed counts against the archive's capability surface: the same sets,
// derived from the same kernel rows (archive spec §2.6), so the counts must agree.
function compareSurface(statement: Statement, facts: ArchiveFacts): AttestationCheck {
  const summary = (statement.predicate?.monitorLog as { assayRunnerSummary?: Record<string, { observed?: unknown }> } | undefined)?.assayRunnerSummary;
  const pairs = [
    ["fileAccess", "filesystem_paths"],
    ["network", "network_endpoints"],
    ["process", "process_execs"],
  ] as const;
  const differing = pairs.filter(([list, field]) => summary?.[list]?.observed !== (facts.surfaceCounts[field] ?? 0));
  if (differing.length === 0)
    return {
      check: "surface",
      ok: true,
      message: `monitorLog counts agree with the capability surface (${pairs.map(([, field]) => `${field} ${facts.surfaceCounts[field] ?? 0}`).join(", ")})`,
    };
  return {
    check: "surface",
    ok: false,
    message: `monitorLog counts differ from the capability surface: ${differing.map(([list, field]) => `${list} observed ${String(summary?.[list]?.observed ?? "nothing")}, ${field} has ${facts.surfaceCounts[field] ?? 0}`).join("; ")}`,
  };
}

function firstDifference(given: unknown, expected: unknown, path = ""): string {
  if (canonicalJson(given ?? null) === canonicalJson(expected ?? null)) return "";
  if (given !== null && expected !== null && typeof given === "object" && typeof expected === "object" && Array.isArray(given) === Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(given), ...Object.keys(expected)])];
    for (const key of keys) {
      const found = firstDifference((given as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
      if (found !== "") return found;
    }
  }
  const show = (value: unknown) => (value === undefined ? "nothing" : truncate(canonicalJson(value)));
  return ` (at ${path || "."}: statement has ${show(given)}, archive gives ${show(expected)})`;
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function identityOf(key: VerifyingKey): string {
  const cert = key.certificate;
  if (cert === undefined) return key.keyId;
  return cert.subjectAltName ?? cert.subject;
}
