export { canonicalJson, canonicalJsonBytes } from "./canonical-json.ts";
export { parseJson, type JsonValue } from "./parse-json.ts";
export { compareCodePoints, sortUnique } from "./code-point-order.ts";
export {
  JsonSyntaxError,
  JsonUnrepresentableError,
  ArchiveWriteError,
  ArchiveWriterStateError,
  ArchiveReadError,
  type EvidenceErrorCode,
} from "./errors.ts";
