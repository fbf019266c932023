import { createHash, sign, verify, type KeyObject } from "node:crypto";
import type { DsseEnvelope } from "./envelope-schema.ts";
import type { SigningKey } from "./signing-key.ts";

/**
 * The DSSE pre-authentication encoding (DSSE protocol.md, v1.0.2):
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the ASCII decimal byte length.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = ENCODER.encode(payloadType);
  const head = ENCODER.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Signs `payload` into a DSSE envelope with one signature (ECDSA signatures are DER, as Sigstore writes them). */
export function signEnvelope(payloadType: string, payload: Uint8Array, key: SigningKey): DsseEnvelope {
  const signature = sign(digestOf(key.publicKey), preAuthEncoding(payloadType, payload), key.privateKey);
  return {
    payload: Buffer.from(payload).toString("base64"),
    payloadType,
    signatures: [{ keyid: key.keyId, sig: signature.toString("base64") }],
  };
}

/** Whether any signature of the envelope verifies with `publicKey` over the PAE of its payload. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): boolean {
  const pae = preAuthEncoding(envelope.payloadType, decodeBase64(envelope.payload));
  return envelope.signatures.some((signature) => {
    try {
      return verify(digestOf(publicKey), pae, publicKey, decodeBase64(signature.sig));
    } catch {
      // Hint: a malformed DER signature throws rather than returning false.
      return false;
    }
  });
}

/** Decodes standard or URL-safe base64 (DSSE accepts both). */
export function decodeBase64(text: string): Uint8Array {
  return Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
}

/** The DSSE key id we write: lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

// --- internal ---

const ENCODER = new TextEncoder();

// Ed25519 signs the message itself (no pre-hash); ECDSA P-256 signs its SHA-256.
function digestOf(key: KeyObject): string | null {
  return key.asymmetricKeyType === "ed25519" ? null : "sha256";
}
