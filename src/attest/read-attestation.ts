import * as v from "valibot";
import { parseJson, type JsonValue } from "../evidence/index.ts";
import { decodeBase64 } from "./dsse.ts";
import { DsseEnvelopeSchema, SigstoreBundleSchema, type DsseEnvelope } from "./envelope-schema.ts";
import { AttestInputError } from "./errors.ts";
import { verifyingKeyFromCertificateDer, type VerifyingKey } from "./signing-key.ts";

/** An attestation file as found: a bare statement, a DSSE envelope, or a Sigstore bundle wrapping one. */
export type AttestationDocument =
  | { readonly kind: "statement"; readonly payload: Uint8Array }
  | { readonly kind: "envelope"; readonly payload: Uint8Array; readonly envelope: DsseEnvelope }
  | {
      readonly kind: "bundle";
      readonly payload: Uint8Array;
      readonly envelope: DsseEnvelope;
      /** The key of the bundle's leaf certificate (keyless signing), when it carries one. */
      readonly certificateKey: VerifyingKey | undefined;
      readonly transparencyLogEntries: number;
    };

/**
 * Tells a statement, a DSSE envelope and a Sigstore bundle v0.3 apart by their fields, and returns
 * the statement bytes they carry (not yet parsed: a signature covers the bytes). Throws
 * AttestInputError (exit 2) for anything that is none of the three.
 */
export function readAttestation(bytes: Uint8Array, file: string): AttestationDocument {
  let document: JsonValue;
  try {
    document = parseJson(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new AttestInputError(
      "ATTESTATION_UNREADABLE",
      file,
      `${file}: expected a JSON statement, DSSE envelope or Sigstore bundle: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new AttestInputError("ATTESTATION_UNREADABLE", file, `${file}: expected a JSON object (statement, DSSE envelope or Sigstore bundle)`);
  }
  if ("mediaType" in document) {
    const bundle = parseWith(SigstoreBundleSchema, document, file, "Sigstore bundle v0.3");
    const material = bundle.verificationMaterial;
    const der = material.certificate?.rawBytes ?? material.x509CertificateChain?.certificates[0]?.rawBytes;
    return {
      kind: "bundle",
      payload: decodeBase64(bundle.dsseEnvelope.payload),
      envelope: bundle.dsseEnvelope,
      certificateKey: der === undefined ? undefined : verifyingKeyFromCertificateDer(decodeBase64(der), file),
      transparencyLogEntries: material.tlogEntries?.length ?? 0,
    };
  }
  if ("payloadType" in document || "signatures" in document) {
    const envelope = parseWith(DsseEnvelopeSchema, document, file, "DSSE envelope");
    return { kind: "envelope", payload: decodeBase64(envelope.payload), envelope };
  }
  return { kind: "statement", payload: bytes };
}

// --- internal ---

function parseWith<const TSchema extends v.GenericSchema>(schema: TSchema, value: unknown, file: string, what: string): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  throw new AttestInputError("ATTESTATION_UNREADABLE", file, `${file}: not a ${what}: ${path ? `${path}: ` : ""}${issue.message}`);
}
