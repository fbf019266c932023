import { readFileSync } from "node:fs";
import * as v from "valibot";
import { AttestInputError, parseVerifyingKey, verifyAttestation, type AttestationReport } from "../attest/index.ts";
import { parseArgsWith } from "./_args.ts";
import { UsageError } from "./errors.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META["verify-attestation"],
    args: {
      attestation: {
        type: "positional",
        required: false,
        description: "Statement, DSSE envelope or Sigstore bundle (JSON)",
        valueHint: "STATEMENT|ENVELOPE|BUNDLE",
      },
      archive: { type: "string", description: "The archive file the attestation is about", valueHint: "ARCHIVE" },
      key: { type: "string", description: "PEM public key or certificate (Ed25519 or ECDSA P-256) that must have signed it", valueHint: "PUB" },
      json: { type: "boolean", description: "Print one JSON report on stdout" },
      quiet: { type: "boolean", description: "Print only problems" },
    },
    run: ({ args }) => verifyAttestationCommand(parseArgsWith(VerifyAttestationArgsSchema, args)),
  },
  {
    synopsis: "[OPTIONS] STATEMENT|ENVELOPE|BUNDLE --archive ARCHIVE",
    examples: [
      "assay-runner verify-attestation envelope.json --archive run.tar.gz --key key.pub",
      "assay-runner verify-attestation statement.json --archive run.tar.gz --json",
    ],
  },
);

// --- internal ---

const VerifyAttestationArgsSchema = v.object({
  attestation: v.pipe(v.string("a STATEMENT, ENVELOPE or BUNDLE to check is required"), v.minLength(1, "a STATEMENT, ENVELOPE or BUNDLE to check is required")),
  // Hint: citty leaves an absent flag out, and valibot reports a missing key by the key alone, so the check below names it.
  archive: v.optional(v.pipe(v.string(), v.minLength(1, "expected an archive file"))),
  key: v.optional(v.pipe(v.string(), v.minLength(1, "expected a key file"))),
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

type VerifyAttestationOptions = v.InferOutput<typeof VerifyAttestationArgsSchema>;

async function verifyAttestationCommand(options: VerifyAttestationOptions): Promise<number> {
  configureOutput({ quiet: options.quiet });
  if (options.archive === undefined) throw new UsageError("MISSING_ARGUMENT", "--archive ARCHIVE is required: the archive the attestation is about");
  const archive = options.archive;
  let report: AttestationReport;
  try {
    const key = options.key === undefined ? undefined : parseVerifyingKey(readInput(options.key, "--key").toString("utf8"), options.key);
    const bytes = new Uint8Array(readInput(options.attestation, "attestation"));
    report = await verifyAttestation({ file: options.attestation, bytes, archivePath: archive, key });
  } catch (error) {
    if (!(error instanceof AttestInputError)) throw error;
    if (options.json) printJson({ attestation: options.attestation, archive: options.archive, ok: false, readable: false, error: error.message });
    logger.error(error.message);
    return 2;
  }
  if (options.json) printJson({ ...report, readable: true });
  else render(report);
  return report.ok ? 0 : 1;
}

function render(report: AttestationReport): void {
  for (const check of report.checks) {
    if (check.ok) logger.info(`${check.check}: ${check.message}`);
    else logger.error(`${check.check}: ${check.message}`);
  }
  if (report.ok) logger.success(`${report.attestation}: matches ${report.archive} (${report.kind}, signature ${report.signature})`);
  else logger.error(`${report.attestation}: MISMATCH with ${report.archive}`);
}

function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new AttestInputError(
      what === "--key" ? "KEY_UNREADABLE" : "ATTESTATION_UNREADABLE",
      file,
      `${what}: cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
