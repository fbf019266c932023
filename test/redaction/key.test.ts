import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  encodeKeyFile,
  ephemeralKey,
  keyId,
  nodeKeyFileSystem,
  parseKeyFile,
  resolveHostLocalKey,
  userKeyPath,
  type KeyFileSystem,
} from "../../src/redaction/index.ts";
import { RedactionKeyError } from "../../src/redaction/index.ts";
import { tempDir } from "../harness.ts";

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const fixedKey = () => bytes(32);

/** Calls `f` and returns the RedactionKeyError it throws as plain data. */
function keyError(f: () => unknown) {
  try {
    f();
  } catch (error) {
    if (error instanceof RedactionKeyError) return { code: error.code, exitCode: error.exitCode, file: error.file };
    throw error;
  }
  throw new Error("expected a RedactionKeyError");
}

describe("key files", () => {
  test("round-trip through base64url without padding for every length up to 40", () => {
    for (let n = 1; n <= 40; n++) {
      const body = encodeKeyFile(bytes(n));
      expect([/[+/=]/.test(body), parseKeyFile(`  ${body}\n`, "k")]).toEqual([false, { ok: true, value: bytes(n) }]);
    }
  });

  test("reject a missing prefix, padding, a stray character, an impossible length and an empty key, naming the file", () => {
    for (const body of [
      "not-a-key",
      `${encodeKeyFile(bytes(1))}==`,
      "assay-redaction-key-v1:ab+c",
      "assay-redaction-key-v1:abcde",
      "assay-redaction-key-v1:",
    ]) {
      const result = parseKeyFile(body, "/etc/k");
      expect(
        result.ok ? "accepted" : [result.issues[0].code, result.issues[0].file, result.issues[0].message.startsWith("redaction key file /etc/k is malformed")],
      ).toEqual(["REDACTION_KEY_MALFORMED", "/etc/k", true]);
    }
  });

  test("key ids are hmac-sha256 plus 8 hex digits and never contain the key", () => {
    const id = keyId(fixedKey());
    expect([/^hmac-sha256:[0-9a-f]{8}$/.test(id), id.includes(encodeKeyFile(fixedKey()).slice(23, 31))]).toEqual([true, false]);
  });

  test("an ephemeral key is 32 fresh bytes with its own id", () => {
    const [a, b] = [ephemeralKey(), ephemeralKey()];
    expect([a.scope, a.bytes.length, a.keyId === keyId(a.bytes), a.keyId === b.keyId, a.file]).toEqual(["ephemeral", 32, true, false, undefined]);
  });
});

describe("resolveHostLocalKey", () => {
  test("generates the default key file once (mode 0600, parents created) and reads it back", () => {
    using dir = tempDir("key-default");
    const defaultPath = join(dir.path, "var/lib/assay/redaction.key");
    const first = resolveHostLocalKey({ env: {}, defaultPath, generate: fixedKey });
    const second = resolveHostLocalKey({ env: {}, defaultPath });
    expect([first, second, statSync(defaultPath).mode & 0o777, readFileSync(defaultPath, "utf8")]).toEqual([
      { bytes: fixedKey(), scope: "host_local", keyId: keyId(fixedKey()), file: defaultPath },
      { bytes: fixedKey(), scope: "host_local", keyId: keyId(fixedKey()), file: defaultPath },
      0o600,
      encodeKeyFile(fixedKey()),
    ]);
  });

  test("prefers $ASSAY_REDACTION_KEY_FILE and then never creates the default file", () => {
    using dir = tempDir("key-env", { "ci.key": `${encodeKeyFile(bytes(16))}\n` });
    const defaultPath = join(dir.path, "default.key");
    const key = resolveHostLocalKey({ env: { ASSAY_REDACTION_KEY_FILE: join(dir.path, "ci.key") }, defaultPath });
    expect([key.bytes, key.scope, existsSync(defaultPath)]).toEqual([bytes(16), "host_local", false]);
  });

  test("fails with exit 2 when $ASSAY_REDACTION_KEY_FILE does not exist, without falling back", () => {
    using dir = tempDir("key-env-missing");
    const missing = join(dir.path, "nope.key");
    expect(keyError(() => resolveHostLocalKey({ env: { ASSAY_REDACTION_KEY_FILE: missing, HOME: dir.path }, defaultPath: join(dir.path, "d.key") }))).toEqual({
      code: "REDACTION_KEY_NOT_FOUND",
      exitCode: 2,
      file: missing,
    });
  });

  test("fails with exit 2 on a malformed key file, naming it", () => {
    using dir = tempDir("key-bad", { "redaction.key": "assay-redaction-key-v0:abcd" });
    const defaultPath = join(dir.path, "redaction.key");
    expect(keyError(() => resolveHostLocalKey({ env: { HOME: dir.path }, defaultPath }))).toEqual({
      code: "REDACTION_KEY_MALFORMED",
      exitCode: 2,
      file: defaultPath,
    });
  });

  test("falls back to $XDG_DATA_HOME, then $HOME, then the temp dir when the default path cannot be written", () => {
    using dir = tempDir("key-fallback", { blocker: "a file, so no directory can be made below it" });
    const defaultPath = join(dir.path, "blocker/assay/redaction.key");
    const xdg = resolveHostLocalKey({ env: { XDG_DATA_HOME: join(dir.path, "xdg"), HOME: join(dir.path, "home") }, defaultPath, generate: fixedKey });
    const home = resolveHostLocalKey({ env: { HOME: join(dir.path, "home") }, defaultPath, generate: fixedKey });
    const tmp = resolveHostLocalKey({ env: {}, defaultPath, tmpDir: join(dir.path, "tmp"), generate: fixedKey });
    expect([xdg.file, home.file, tmp.file]).toEqual([
      join(dir.path, "xdg/assay/redaction.key"),
      join(dir.path, "home/.local/share/assay/redaction.key"),
      join(dir.path, "tmp/assay/redaction.key"),
    ]);
  });

  test("fails with exit 40 when no location can hold a key", () => {
    using dir = tempDir("key-nowhere", { blocker: "x" });
    const defaultPath = join(dir.path, "blocker/a/redaction.key");
    expect(keyError(() => resolveHostLocalKey({ env: { HOME: join(dir.path, "blocker") }, defaultPath })).exitCode).toEqual(40);
  });

  test("uses the key another run created between the existence check and the write", () => {
    using dir = tempDir("key-race");
    const path = join(dir.path, "redaction.key");
    const racing: KeyFileSystem = {
      ...nodeKeyFileSystem,
      exists: () => false,
      createPrivate: (p, content) => {
        mkdirSync(dir.path, { recursive: true });
        writeFileSync(p, encodeKeyFile(bytes(20)));
        nodeKeyFileSystem.createPrivate(p, content);
      },
    };
    expect(resolveHostLocalKey({ env: {}, defaultPath: path, fs: racing }).bytes).toEqual(bytes(20));
  });
});

describe("userKeyPath", () => {
  test("treats an empty variable as unset", () => {
    expect(userKeyPath({ XDG_DATA_HOME: "", HOME: "/h" }, "/t")).toEqual("/h/.local/share/assay/redaction.key");
  });
});
