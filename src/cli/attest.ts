import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import * as v from "valibot";
import pkg from "../../package.json" with { type: "json" };
import {
  AttestInputError,
  buildPredicate,
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  monitoredProcessOf,
  parseSigningKey,
  readArchiveFacts,
  RUNTIME_TRACE_V01,
  RUNTIME_TRACE_V02,
  signEnvelope,
} from "../attest/index.ts";
import { canonicalJson } from "../evidence/index.ts";
import { parseArgsWith } from "./_args.ts";
import { writeStdout } from "./_std-streams.ts";
import { writeOutputFile } from "./_output-file.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.attest,
    args: {
      archive: { type: "positional", required: false, description: "Archive file (.tar.gz) that verifies", valueHint: "ARCHIVE" },
      output: {
        type: "string",
        alias: "o",
        description: "Write the statement (or the envelope, with --sign-key) to FILE instead of stdout",
        valueHint: "FILE",
      },
      "sign-key": {
        type: "string",
        description: "Sign with this unencrypted PEM private key (Ed25519 or ECDSA P-256) and write a DSSE envelope",
        valueHint: "FILE",
      },
      "predicate-version": {
        type: "string",
        description: "Runtime-trace predicate version: 0.1 (default) or 0.2 (the in-toto draft of PR #568)",
        valueHint: "0.1|0.2",
      },
      "predicate-out": { type: "string", description: "Also write the predicate alone to FILE (for actions/attest's predicate-path)", valueHint: "FILE" },
      json: { type: "boolean", description: "Print one JSON summary on stdout; without --output stdout carries the statement itself" },
      quiet: { type: "boolean", description: "Print only problems" },
    },
    run: ({ args }) => attestCommand(parseArgsWith(AttestArgsSchema, args)),
  },
  {
    synopsis: "[OPTIONS] ARCHIVE",
    examples: [
      "assay-runner attest run.tar.gz -o statement.json",
      "assay-runner attest run.tar.gz -o envelope.json --sign-key key.pem --predicate-version 0.2",
      "assay-runner attest run.tar.gz --predicate-out runtime-trace.json   # for actions/attest's predicate-path",
    ],
  },
);

// --- internal ---

const AttestArgsSchema = v.object({
  archive: v.pipe(v.string("an ARCHIVE to attest is required"), v.minLength(1, "an ARCHIVE to attest is required")),
  output: v.optional(v.pipe(v.string(), v.minLength(1, "expected a file name"))),
  "sign-key": v.optional(v.pipe(v.string(), v.minLength(1, "expected a key file"))),
  "predicate-version": v.optional(v.picklist(["0.1", "0.2"], "expected 0.1 or 0.2"), "0.1"),
  "predicate-out": v.optional(v.pipe(v.string(), v.minLength(1, "expected a file name"))),
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

type AttestOptions = v.InferOutput<typeof AttestArgsSchema>;

async function attestCommand(options: AttestOptions): Promise<number> {
  // Without --output the statement is stdout's one document, so --json adds nothing there but quiet.
  configureOutput({ quiet: options.quiet || (options.json && options.output === undefined) });
  // The key is read before the archive, so a bad key fails fast and writes nothing.
  const key = options["sign-key"] === undefined ? undefined : parseSigningKey(readKeyFile(options["sign-key"]), options["sign-key"]);
  const facts = await readArchiveFacts(options.archive);
  const statementOptions = {
    predicateType: options["predicate-version"] === "0.2" ? RUNTIME_TRACE_V02 : RUNTIME_TRACE_V01,
    toolVersion: pkg.version,
    monitoredProcess: monitoredProcessOf(process.env, hostname(), facts.runId),
  } as const;
  const built = buildStatement(facts, statementOptions);
  const envelope = key === undefined ? undefined : signEnvelope(IN_TOTO_PAYLOAD_TYPE, built.bytes, key);
  const text = envelope === undefined ? `${new TextDecoder().decode(built.bytes)}\n` : `${JSON.stringify(envelope)}\n`;
  if (options["predicate-out"] !== undefined)
    writeOutputFile("--predicate-out", options["predicate-out"], `${canonicalJson(buildPredicate(facts, statementOptions))}\n`);
  if (options.output === undefined) writeStdout(text);
  else writeOutputFile("--output", options.output, text);
  const observation = built.statement.predicate.assayRunnerObservation as { complete: boolean; gaps: string[] };
  const log = built.statement.predicate.monitorLog as { assayRunnerSummary: { complete: boolean } };
  if (options.json && options.output !== undefined) {
    printJson({
      output: options.output,
      predicateType: statementOptions.predicateType,
      subject: { archive: `sha256:${facts.archiveSha256}`, manifest: `sha256:${facts.manifestSha256}` },
      statementBytes: built.bytes.length,
      signed: key === undefined ? null : { algorithm: key.algorithm, keyid: key.keyId },
      observationComplete: observation.complete,
      gaps: observation.gaps,
      monitorLogComplete: log.assayRunnerSummary.complete,
    });
  } else if (!options.json) {
    const where = options.output ?? "stdout";
    logger.success(
      `${where}: ${key === undefined ? "statement" : `DSSE envelope (${key.algorithm}, keyid ${key.keyId.slice(0, 16)}…)`} for ${facts.archiveName} (run ${facts.runId}, ${built.bytes.length} bytes)`,
    );
    if (!observation.complete) logger.warn(`the capture was partial: ${observation.gaps.join(", ")} (recorded in the predicate)`);
    if (!log.assayRunnerSummary.complete)
      logger.info("monitorLog lists were cut at their size budget; counts and a pointer to layers/kernel.ndjson are in monitorLog.assayRunnerSummary");
  }
  return 0;
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    throw new AttestInputError("KEY_UNREADABLE", file, `--sign-key: cannot read ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
