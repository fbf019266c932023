export { canonicalJson, canonicalJsonBytes } from "./canonical-json.ts";
export { parseJson, type JsonValue } from "./parse-json.ts";
// The code-point order lives in schema (its own checks need it); re-exported under the names callers use.
export { compareCodePoints, sortByCodePoint, sortUnique, textHasSurrogate } from "../schema/index.ts";
export {
  JsonSyntaxError,
  JsonUnrepresentableError,
  ArchiveWriteError,
  ArchiveWriterStateError,
  ArchiveReadError,
  type EvidenceErrorCode,
} from "./errors.ts";
export {
  ArchiveWriter,
  type ArchiveWriterOptions,
  type CommittedArchive,
  type MemberContent,
  type SpooledMember,
} from "./archive-writer.ts";
export { buildManifestJson, type MemberDigest } from "./manifest.ts";
export {
  ARCHIVE_MEMBERS,
  MANIFESTED_MEMBERS,
  isMemberName,
  isNdjsonMember,
  type MemberName,
  type ManifestedMemberName,
  type NdjsonMemberName,
  type JsonMemberName,
} from "./member-names.ts";
export {
  readArchive,
  loadArchive,
  DEFAULT_READ_LIMITS,
  DEFAULT_LOAD_LIMITS,
  type ArchiveKind,
  type ArchiveReadOutcome,
  type LoadedArchive,
  type LoadOptions,
  type MemberSink,
  type MemberVisitor,
  type ReadLimits,
  type ReadOptions,
} from "./archive-reader.ts";
export { verifyArchive, type VerifyOptions, type VerifyReport, type VerifiedMember } from "./verify-archive.ts";
export { inspectArchive, type ArchiveSummary } from "./inspect-archive.ts";
export { unreadableIssues } from "./unreadable.ts";
export { readArchiveNetwork, DnsRowCollector, type ArchiveNetwork } from "./archive-names.ts";
