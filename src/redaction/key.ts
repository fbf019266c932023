import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fail, ok, type Result } from "../schema/index.ts";
import { hmacH8 } from "./redactor.ts";
import { RedactionKeyError } from "./errors.ts";

/** Where a key came from, as `observation_health.redaction.key_scope` records it. */
export type KeyScope = "host_local" | "ephemeral";

/** A resolved redaction key: the secret bytes (never logged or archived) and its value-free id. */
export interface RedactionKey {
  readonly bytes: Uint8Array;
  readonly scope: KeyScope;
  /** `hmac-sha256:` + 8 hex digits; safe to record. */
  readonly keyId: string;
  /** The key file it was read from or written to; absent for an ephemeral key. */
  readonly file?: string;
}

/** Prefix of a key file's content (spec §3.3). */
export const KEY_FILE_PREFIX = "assay-redaction-key-v1:";

/** Environment variable naming an existing key file (CI, mounted secret). */
export const KEY_FILE_ENV = "ASSAY_REDACTION_KEY_FILE";

/** The host-wide key file, generated on first use when absent. */
export const DEFAULT_KEY_PATH = "/var/lib/assay/redaction.key";

/** The key id `hmac-sha256:<8 hex>` = first 4 bytes of HMAC-SHA256(key, "assay-redaction-key-id"). */
export function keyId(key: Uint8Array): string {
  return `hmac-sha256:${hmacH8(key, "assay-redaction-key-id")}`;
}

/** Encodes key bytes as a key file body: prefix + base64url without padding. */
export function encodeKeyFile(key: Uint8Array): string {
  return KEY_FILE_PREFIX + Buffer.from(key).toString("base64url");
}

/** Parses a key file body (trimmed first); `file` only names the file in the issue. */
export function parseKeyFile(content: string, file: string): Result<Uint8Array> {
  const body = rustTrim(content);
  const issue = (expected: string, received: string) =>
    fail<Uint8Array>({
      code: "REDACTION_KEY_MALFORMED",
      file,
      path: "",
      expected,
      received,
      message: `redaction key file ${file} is malformed: expected ${expected}, found ${received}`,
    });
  if (!body.startsWith(KEY_FILE_PREFIX)) return issue(`content starting with "${KEY_FILE_PREFIX}"`, "another prefix");
  const encoded = body.slice(KEY_FILE_PREFIX.length);
  // deviation: upstream accepts an empty key (prefix only); a zero-length HMAC key is no secret.
  if (encoded === "") return issue("base64url key bytes after the prefix", "nothing");
  // Upstream's decoder takes groups of 4 and rejects a final group of 1 and any "=" padding.
  if (!BASE64URL.test(encoded) || encoded.length % 4 === 1) return issue("base64url without padding", "other characters");
  return ok(new Uint8Array(Buffer.from(encoded, "base64url")));
}

/** Returns 32 fresh random bytes for a new key. */
export function generateKeyBytes(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** An in-memory key for `--redaction-key ephemeral`; never persisted. */
export function ephemeralKey(): RedactionKey {
  const bytes = generateKeyBytes();
  return { bytes, scope: "ephemeral", keyId: keyId(bytes) };
}

/** The file operations key resolution needs; tests pass their own so they never touch `/var/lib/assay`. */
export interface KeyFileSystem {
  exists(path: string): boolean;
  readText(path: string): string;
  /** Creates parent directories and writes `content` to a new file with mode 0600; throws if it exists. */
  createPrivate(path: string, content: string): void;
}

/** The real file system. */
export const nodeKeyFileSystem: KeyFileSystem = {
  exists: (path) => existsSync(path),
  readText: (path) => readFileSync(path, "utf8"),
  createPrivate: (path, content) => {
    mkdirSync(dirname(path), { recursive: true });
    // "wx": two runs generating at once must not overwrite each other's key.
    const fd = openSync(path, "wx", 0o600);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    chmodSync(path, 0o600);
  },
};

/** Inputs of host-local key resolution; everything outside is passed in. */
export interface HostLocalKeyOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fs?: KeyFileSystem;
  /** Defaults to `/var/lib/assay/redaction.key`. */
  readonly defaultPath?: string;
  /** The temporary directory of the last fallback; defaults to `os.tmpdir()`. */
  readonly tmpDir?: string;
  /** Key bytes for a file that has to be generated; defaults to `generateKeyBytes`. */
  readonly generate?: () => Uint8Array;
}

/**
 * Resolves the `host-local` key (spec §3.3): `$ASSAY_REDACTION_KEY_FILE` (must exist), else the
 * default file (generated if absent), else — only without the env var — a user-mode file under
 * `$XDG_DATA_HOME/assay`, `$HOME/.local/share/assay` or `<tmp>/assay`. Throws RedactionKeyError.
 */
export function resolveHostLocalKey(options: HostLocalKeyOptions): RedactionKey {
  const fs = options.fs ?? nodeKeyFileSystem;
  const generate = options.generate ?? generateKeyBytes;
  const fromEnv = options.env[KEY_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!fs.exists(fromEnv)) {
      throw new RedactionKeyError("REDACTION_KEY_NOT_FOUND", fromEnv, `redaction key file ${fromEnv} (from ${KEY_FILE_ENV}) does not exist`);
    }
    return readKey(fs, fromEnv);
  }
  const defaultPath = options.defaultPath ?? DEFAULT_KEY_PATH;
  try {
    return openOrCreate(fs, defaultPath, generate);
  } catch (error) {
    // deviation: upstream falls back on any error; a malformed key file is reported instead, so a
    // broken host key never silently moves the run into another redaction domain.
    if (error instanceof RedactionKeyError && error.code === "REDACTION_KEY_MALFORMED") throw error;
    const userPath = userKeyPath(options.env, options.tmpDir ?? tmpdir());
    try {
      return openOrCreate(fs, userPath, generate);
    } catch (fallbackError) {
      if (fallbackError instanceof RedactionKeyError) throw fallbackError;
      throw new RedactionKeyError(
        "REDACTION_KEY_UNAVAILABLE",
        userPath,
        `no redaction key: cannot use ${defaultPath} (${describe(error)}) nor ${userPath} (${describe(fallbackError)}); ` +
          `set ${KEY_FILE_ENV} or pass --redaction-key ephemeral`,
        { cause: fallbackError },
      );
    }
  }
}

/** Resolves the key for `--redaction-key host-local | ephemeral`. */
export function resolveRedactionKey(kind: "host-local" | "ephemeral", options: HostLocalKeyOptions): RedactionKey {
  return kind === "ephemeral" ? ephemeralKey() : resolveHostLocalKey(options);
}

/** The user-mode key path: `$XDG_DATA_HOME/assay/…`, else `$HOME/.local/share/assay/…`, else `<tmp>/assay/…`. */
export function userKeyPath(env: Readonly<Record<string, string | undefined>>, tmpDir: string): string {
  // deviation: an empty variable counts as unset (upstream would build a relative path from it).
  const xdg = env.XDG_DATA_HOME;
  if (xdg !== undefined && xdg !== "") return join(xdg, "assay", "redaction.key");
  const home = env.HOME;
  if (home !== undefined && home !== "") return join(home, ".local", "share", "assay", "redaction.key");
  return join(tmpDir, "assay", "redaction.key");
}

// --- internal ---

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function readKey(fs: KeyFileSystem, path: string): RedactionKey {
  let content: string;
  try {
    content = fs.readText(path);
  } catch (error) {
    throw new RedactionKeyError("REDACTION_KEY_NOT_FOUND", path, `cannot read redaction key file ${path}: ${describe(error)}`, {
      cause: error,
    });
  }
  const parsed = parseKeyFile(content, path);
  if (!parsed.ok) throw new RedactionKeyError("REDACTION_KEY_MALFORMED", path, parsed.issues[0].message);
  return { bytes: parsed.value, scope: "host_local", keyId: keyId(parsed.value), file: path };
}

function openOrCreate(fs: KeyFileSystem, path: string, generate: () => Uint8Array): RedactionKey {
  if (fs.exists(path)) return readKey(fs, path);
  const bytes = generate();
  try {
    fs.createPrivate(path, encodeKeyFile(bytes));
  } catch (error) {
    // Another run created it between our check and our write: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKey(fs, path);
    throw error;
  }
  return { bytes, scope: "host_local", keyId: keyId(bytes), file: path };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Rust `str::trim`: Unicode White_Space at both ends (JS `trim` differs on U+FEFF and U+0085).
function rustTrim(text: string): string {
  return text.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
}
