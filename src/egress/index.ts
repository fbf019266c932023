// Public surface of the egress module: DNS messages (parse, build, TCP framing), DNS observations,
// the stub resolver the runner serves to a session, and the egress policy (schema in schema/,
// compiled here into what the kernel programs and the stub need).
export {
  parseDnsMessage,
  parseDnsTcpFrame,
  splitDnsTcpStream,
  frameDnsTcp,
  dnsTypeName,
  dnsRcodeName,
  DNS_TYPE,
  DNS_LIMITS,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  type DnsRecordData,
  type DnsProblemCode,
} from "./dns-message.ts";
export { buildDnsQuery, buildDnsResponse, encodeName, type DnsAnswerSpec, type DnsQuerySpec, type DnsResponseSpec } from "./dns-builder.ts";
export { DnsObserver, resolveAnswer, type ResolvedAnswer, type DnsPacketContext } from "./dns-observer.ts";
export { sendDatagram, startDnsStub, type DnsStub, type DnsStubOptions, type SocketAddress } from "./dns-stub.ts";
export {
  parseEgressPolicy,
  compileEgressPolicy,
  egressPolicyBytes,
  egressPolicyDigest,
  matchHostRule,
  decideEgress,
  type AllowTuple,
  type HostRule,
  type CompiledEgressPolicy,
  type EgressDecision,
} from "./egress-policy.ts";
export { deriveEgressPolicy, deriveEgressPolicyFromBaseline, type ObservedNetwork } from "./derive-policy.ts";
export { parseIpBytes, parseCidrBytes, formatIpBytes, cidrContains, type IpBytes } from "./ip-bytes.ts";
export { allowAnswers, MemoryAllowMap, type EgressAllowMap, type AllowEntry } from "./allow-map.ts";
export { EgressUnavailableError, KernelEgress, type EgressAttempt, type KernelEgressOptions } from "./kernel-egress.ts";
