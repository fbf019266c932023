import * as v from "valibot";
import { SIGSTORE_BUNDLE_V03 } from "./constants.ts";

// DSSE and protobuf-JSON bytes are base64; the standard and the URL-safe alphabet are both accepted (DSSE envelope.md).
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const Base64Schema = v.pipe(v.string(), v.regex(BASE64, "expected base64"));

/** One DSSE signature. */
export const DsseSignatureSchema = v.looseObject({
  keyid: v.optional(v.string()),
  sig: Base64Schema,
});

/** A DSSE envelope (secure-systems-lab/dsse envelope.md). */
export const DsseEnvelopeSchema = v.looseObject({
  payload: Base64Schema,
  payloadType: v.string(),
  signatures: v.pipe(v.array(DsseSignatureSchema), v.minLength(1, "expected at least one signature")),
});

const RawBytesSchema = v.looseObject({ rawBytes: Base64Schema });

/**
 * A Sigstore bundle v0.3 (sigstore/protobuf-specs `Bundle`, JSON form) carrying a DSSE envelope.
 * Only what an offline check of the envelope needs is read; transparency-log entries and
 * timestamps are kept but not verified here (that is `gh attestation verify`'s work).
 */
export const SigstoreBundleSchema = v.looseObject({
  mediaType: v.literal(SIGSTORE_BUNDLE_V03),
  verificationMaterial: v.looseObject({
    publicKey: v.optional(v.looseObject({ hint: v.optional(v.string()) })),
    certificate: v.optional(RawBytesSchema),
    x509CertificateChain: v.optional(v.looseObject({ certificates: v.array(RawBytesSchema) })),
    tlogEntries: v.optional(v.array(v.unknown())),
  }),
  dsseEnvelope: DsseEnvelopeSchema,
});

/** A DSSE envelope. */
export type DsseEnvelope = v.InferOutput<typeof DsseEnvelopeSchema>;
/** A Sigstore bundle v0.3 with a DSSE envelope. */
export type SigstoreBundle = v.InferOutput<typeof SigstoreBundleSchema>;
