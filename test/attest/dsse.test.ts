import { describe, expect, test } from "bun:test";
import { createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import {
  IN_TOTO_PAYLOAD_TYPE,
  parseSigningKey,
  parseVerifyingKey,
  preAuthEncoding,
  signEnvelope,
  verifyEnvelope,
  type DsseEnvelope,
} from "../../src/attest/index.ts";
import { findExecutable } from "../../src/linux/index.ts";
import { tempDir } from "../harness.ts";

const openssl = findExecutable("openssl");
if (openssl === undefined) console.warn("skipping openssl cross-checks: openssl is not on PATH");

const PAYLOAD = new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x"}');

describe("preAuthEncoding", () => {
  test("matches the DSSE protocol's own test vector", () => {
    // secure-systems-lab/dsse protocol.md, "Test Vectors".
    const pae = preAuthEncoding("http://example.com/HelloWorld", new TextEncoder().encode("hello world"));
    expect(new TextDecoder().decode(pae)).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });

  test("counts bytes, not characters, of a non-ASCII type and body", () => {
    const pae = preAuthEncoding("tÿpe", new TextEncoder().encode("é"));
    expect(new TextDecoder().decode(pae)).toBe("DSSEv1 5 tÿpe 2 é");
  });
});

describe.each(["ed25519", "ec"] as const)("signEnvelope with %s", (algorithm) => {
  test.skipIf(openssl === undefined)(
    "writes a signature openssl pkeyutl -verify accepts over an independently rebuilt PAE, and rejects once a byte changes",
    () => {
      using dir = tempDir("dsse");
      const keys = generateKeys(dir.path, algorithm);
      const key = parseSigningKey(keys.privatePem, keys.privateFile);
      const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, PAYLOAD, key);
      expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
      expect(envelope.signatures[0]!.keyid).toBe(key.keyId);
      // Rebuilt here from the envelope's fields, without our preAuthEncoding.
      const payload = Buffer.from(envelope.payload, "base64");
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(envelope.payloadType)} ${envelope.payloadType} ${payload.length} `), payload]);
      writeFileSync(join(dir.path, "pae.bin"), pae);
      writeFileSync(join(dir.path, "sig.bin"), Buffer.from(envelope.signatures[0]!.sig, "base64"));
      const verify = (file: string) =>
        Bun.spawnSync([
          openssl!,
          "pkeyutl",
          "-verify",
          "-pubin",
          "-inkey",
          keys.publicFile,
          "-rawin",
          ...(algorithm === "ec" ? ["-digest", "sha256"] : []),
          "-in",
          file,
          "-sigfile",
          join(dir.path, "sig.bin"),
        ]);
      const good = verify(join(dir.path, "pae.bin"));
      expect({ exitCode: good.exitCode, stdout: good.stdout.toString().trim() }).toEqual({ exitCode: 0, stdout: "Signature Verified Successfully" });
      const tampered = Buffer.from(pae);
      tampered[tampered.length - 3]! ^= 0x01;
      writeFileSync(join(dir.path, "pae-tampered.bin"), tampered);
      expect(verify(join(dir.path, "pae-tampered.bin")).exitCode).toBe(1);
    },
  );

  test.skipIf(openssl === undefined)("verifies with the public key and fails with another key or a changed signature", () => {
    using dir = tempDir("dsse");
    const keys = generateKeys(dir.path, algorithm);
    const other = generateKeys(dir.path, algorithm, "other");
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, PAYLOAD, parseSigningKey(keys.privatePem, keys.privateFile));
    const publicKey = parseVerifyingKey(keys.publicPem, keys.publicFile).publicKey;
    expect(verifyEnvelope(envelope, publicKey)).toBe(true);
    expect(verifyEnvelope(envelope, parseVerifyingKey(other.publicPem, other.publicFile).publicKey)).toBe(false);
    expect(verifyEnvelope(withSignatureByteFlipped(envelope), publicKey)).toBe(false);
    // The payload type is signed too: the same signature over another type must fail.
    expect(verifyEnvelope({ ...envelope, payloadType: "application/json" }, publicKey)).toBe(false);
  });

  test.skipIf(openssl === undefined)("is accepted by @sigstore/verify inside a Sigstore bundle v0.3 (public-key material, offline)", () => {
    using dir = tempDir("dsse");
    const keys = generateKeys(dir.path, algorithm);
    const key = parseSigningKey(keys.privatePem, keys.privateFile);
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, PAYLOAD, key);
    const verifier = sigstoreVerifier(key.keyId, keys.publicPem);
    const bundle = sigstoreBundle(envelope, key.keyId);
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(bundle)))).not.toThrow();
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(sigstoreBundle(withSignatureByteFlipped(envelope), key.keyId))))).toThrow(/signature/i);
  });
});

describe("parseSigningKey", () => {
  test.skipIf(openssl === undefined)("refuses an RSA key, naming the file and what it expected", () => {
    using dir = tempDir("dsse");
    const file = join(dir.path, "rsa.pem");
    Bun.spawnSync([openssl!, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", file]);
    expect(() => parseSigningKey(readFileSync(file, "utf8"), file)).toThrow(`${file}: expected an Ed25519 or ECDSA P-256 key, received rsa`);
  });

  test("refuses text that is not a PEM key", () => {
    expect(() => parseSigningKey("hello", "k.pem")).toThrow(/^k\.pem: expected a PEM private key \(Ed25519 or ECDSA P-256\)/);
  });
});

// --- helpers ---

interface KeyFiles {
  readonly privateFile: string;
  readonly publicFile: string;
  readonly privatePem: string;
  readonly publicPem: string;
}

function generateKeys(dir: string, algorithm: "ed25519" | "ec", name = "key"): KeyFiles {
  const privateFile = join(dir, `${name}.pem`);
  const publicFile = join(dir, `${name}.pub`);
  const args = algorithm === "ed25519" ? ["-algorithm", "ed25519"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  const made = Bun.spawnSync([openssl!, "genpkey", ...args, "-out", privateFile]);
  if (made.exitCode !== 0) throw new Error(made.stderr.toString());
  Bun.spawnSync([openssl!, "pkey", "-in", privateFile, "-pubout", "-out", publicFile]);
  return { privateFile, publicFile, privatePem: readFileSync(privateFile, "utf8"), publicPem: readFileSync(publicFile, "utf8") };
}

function withSignatureByteFlipped(envelope: DsseEnvelope): DsseEnvelope {
  const sig = Buffer.from(envelope.signatures[0]!.sig, "base64");
  sig[sig.length - 1]! ^= 0x01;
  return { ...envelope, signatures: [{ ...envelope.signatures[0]!, sig: sig.toString("base64") }] };
}

function sigstoreBundle(envelope: DsseEnvelope, keyId: string): Record<string, unknown> {
  return {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: { publicKey: { hint: keyId }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
    dsseEnvelope: envelope,
  };
}

// Offline: no transparency log, certificate authority or timestamp is required; only the key.
function sigstoreVerifier(keyId: string, publicPem: string): Verifier {
  const der = createPublicKey(publicPem).export({ type: "spki", format: "der" });
  const trustMaterial = toTrustMaterial(
    { mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
    { [keyId]: { rawBytes: der, keyDetails: 0, validFor: undefined } as never },
  );
  return new Verifier(trustMaterial, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
}
