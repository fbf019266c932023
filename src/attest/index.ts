export * from "./constants.ts";
export { AttestInputError, type AttestErrorCode } from "./errors.ts";
export { readArchiveFacts, sha256File, type ArchiveFacts } from "./archive-facts.ts";
export { buildStatement, buildPredicate, type BuiltStatement, type StatementOptions } from "./build-statement.ts";
export { monitoredProcessOf, type MonitoredProcess } from "./monitored-process.ts";
export { buildMonitorLog, fileUri, splitEndpoint, type MonitorLog, type FullLogPointer, type ListCount } from "./monitor-log.ts";
export { KernelSummary, type KernelRow, type FileTally, type EndpointTally, type ExecTally } from "./kernel-summary.ts";
export { buildTracePolicy, OWN_HOOKS, UPSTREAM_HOOKS, SECRET_RULE_SET } from "./trace-policy.ts";
export { buildObservationExtension, type ObservationExtension } from "./observation-extension.ts";
export { preAuthEncoding, signEnvelope, verifyEnvelope, decodeBase64, keyIdOf } from "./dsse.ts";
export { parseSigningKey, parseVerifyingKey, type SigningKey, type VerifyingKey, type KeyAlgorithm } from "./signing-key.ts";
export { readAttestation, type AttestationDocument } from "./read-attestation.ts";
export { verifyAttestation, type AttestationReport, type AttestationCheck } from "./verify-attestation.ts";
export {
  StatementSchema,
  RuntimeTracePredicateSchema,
  ResourceDescriptorSchema,
  DigestSetSchema,
  type Statement,
  type RuntimeTracePredicate,
  type ResourceDescriptor,
} from "./statement-schema.ts";
export { DsseEnvelopeSchema, SigstoreBundleSchema, type DsseEnvelope, type SigstoreBundle } from "./envelope-schema.ts";
