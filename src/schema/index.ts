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
// projection (colleague "projection"): rules file and projection documents
export * from "./projection-rules.ts";
export * from "./path-projection.ts";
export * from "./network-projection.ts";
