export {
  createRedactor,
  CREDENTIAL_FLAG_VALUE_RULE,
  CREDENTIAL_FLAGS,
  hmacH8,
  isCredentialFlag,
  RedactionTally,
  URL_USERINFO_RULE,
  type RedactionMode,
  type Redactor,
} from "./redactor.ts";
export {
  mayContainSecret,
  PLACEHOLDER_PATTERN,
  SECRET_RULES,
  SECRET_RULES_SCHEMA,
  translateRustPattern,
  URL_USERINFO_PATTERN,
  type SecretRule,
} from "./secret-rules.ts";
export { findUnredacted, hasUrlUserinfo, SecretSweep, sweepIssue, sweepMember, sweepMembers, type SweepHit, type SweepIssue } from "./sweep.ts";
export {
  DEFAULT_KEY_PATH,
  encodeKeyFile,
  ephemeralKey,
  generateKeyBytes,
  KEY_FILE_ENV,
  KEY_FILE_PREFIX,
  keyId,
  nodeKeyFileSystem,
  parseKeyFile,
  resolveHostLocalKey,
  resolveRedactionKey,
  userKeyPath,
  type HostLocalKeyOptions,
  type KeyFileSystem,
  type KeyScope,
  type RedactionKey,
} from "./key.ts";
export { buildRedactionHealth, disabledRedactionHealth, type RedactionHealth } from "./health.ts";
export { RedactionKeyError, UnredactedSecretError, type RedactionErrorCode } from "./errors.ts";
