export * from "./issue.ts";
export * from "./constants.ts";
export * from "./run-id.ts";
export * from "./integers.ts";
export * from "./archive-manifest.ts";
export * from "./run-event.ts";
export * from "./kernel-event.ts";
export * from "./sdk-event.ts";
export * from "./policy-event.ts";
export * from "./capability-surface.ts";
export * from "./correlation-report.ts";
export * from "./observation-health.ts";
export * from "./validate-document.ts";
export * from "./check-layer.ts";
export * from "./validate-text.ts";
export * from "./check-archive.ts";
export * from "./code-point-order.ts";
// projection (colleague "projection"): rules file and projection documents
export * from "./projection-rules.ts";
export * from "./path-projection.ts";
export * from "./network-projection.ts";
export * from "./dns-observation.ts";
// network names (issue 15): endpoint names and the DNS health note
export * from "./endpoint-names.ts";
export { formatIpv4, formatIpv6 } from "./ip-text.ts";
export * from "./dns-health.ts";
export * from "./egress-policy.ts";
export * from "./egress-note.ts";
// review (issue 16): baselines and check reports
export * from "./baseline.ts";
