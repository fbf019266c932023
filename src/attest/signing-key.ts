import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { keyIdOf } from "./dsse.ts";
import { AttestInputError } from "./errors.ts";

/** A private key we sign with: Ed25519 or ECDSA P-256. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly algorithm: KeyAlgorithm;
  /** Hex SHA-256 of the public key's SPKI DER. */
  readonly keyId: string;
}

/** The signature algorithms we produce and accept. */
export type KeyAlgorithm = "ed25519" | "ecdsa-p256";

/** A public key to verify with, from a PEM public key or an X.509 certificate. */
export interface VerifyingKey {
  readonly publicKey: KeyObject;
  readonly algorithm: KeyAlgorithm;
  readonly keyId: string;
  /** The certificate's subject and issuer when the key came from one (its identity is not checked). */
  readonly certificate?: { readonly subject: string; readonly issuer: string; readonly subjectAltName: string | undefined };
}

/** Reads an unencrypted PEM private key (PKCS#8, or SEC1 for EC) from `text`; `file` names it in errors. */
export function parseSigningKey(text: string, file: string): SigningKey {
  if (/ENCRYPTED/.test(text))
    throw new AttestInputError(
      "KEY_UNSUPPORTED",
      file,
      `${file}: encrypted private keys are not supported; decrypt it first (openssl pkey -in KEY -out PLAIN)`,
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: "pem" });
  } catch (cause) {
    throw new AttestInputError("KEY_UNREADABLE", file, `${file}: expected a PEM private key (Ed25519 or ECDSA P-256), ${reason(cause)}`, { cause });
  }
  const algorithm = algorithmOf(privateKey, file);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, algorithm, keyId: keyIdOf(publicKey) };
}

/** Reads a PEM public key or certificate from `text`; `file` names it in errors. */
export function parseVerifyingKey(text: string, file: string): VerifyingKey {
  if (text.includes("-----BEGIN CERTIFICATE-----")) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(text);
    } catch (cause) {
      throw new AttestInputError("KEY_UNREADABLE", file, `${file}: expected a PEM certificate, ${reason(cause)}`, { cause });
    }
    return fromCertificate(certificate, file);
  }
  if (text.includes("PRIVATE KEY-----"))
    throw new AttestInputError("KEY_UNSUPPORTED", file, `${file}: expected a public key or certificate, received a private key`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: text, format: "pem" });
  } catch (cause) {
    throw new AttestInputError("KEY_UNREADABLE", file, `${file}: expected a PEM public key or certificate (Ed25519 or ECDSA P-256), ${reason(cause)}`, {
      cause,
    });
  }
  return { publicKey, algorithm: algorithmOf(publicKey, file), keyId: keyIdOf(publicKey) };
}

/** Reads a DER certificate (a Sigstore bundle's `rawBytes`) as a verifying key. */
export function verifyingKeyFromCertificateDer(der: Uint8Array, file: string): VerifyingKey {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch (cause) {
    throw new AttestInputError(
      "ATTESTATION_UNREADABLE",
      file,
      `${file}: verificationMaterial.certificate: expected a DER X.509 certificate, ${reason(cause)}`,
      { cause },
    );
  }
  return fromCertificate(certificate, file);
}

// --- internal ---

function fromCertificate(certificate: X509Certificate, file: string): VerifyingKey {
  const publicKey = certificate.publicKey;
  return {
    publicKey,
    algorithm: algorithmOf(publicKey, file),
    keyId: keyIdOf(publicKey),
    certificate: { subject: certificate.subject, issuer: certificate.issuer, subjectAltName: certificate.subjectAltName },
  };
}

function algorithmOf(key: KeyObject, file: string): KeyAlgorithm {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === "ec" && (curve === "prime256v1" || curve === "P-256")) return "ecdsa-p256";
  const received = key.asymmetricKeyType === "ec" ? `ec ${curve ?? "unknown curve"}` : (key.asymmetricKeyType ?? "unknown");
  throw new AttestInputError("KEY_UNSUPPORTED", file, `${file}: expected an Ed25519 or ECDSA P-256 key, received ${received}`);
}

function reason(cause: unknown): string {
  return `received something else (${cause instanceof Error ? cause.message : String(cause)})`;
}
