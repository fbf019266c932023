import * as v from "valibot";
import { STATEMENT_TYPE } from "./constants.ts";

const HEX_DIGEST = /^[0-9a-f]+$/;

/** A DigestSet (spec/v1/digest_set.md): algorithm → lowercase hex. */
export const DigestSetSchema = v.record(v.string(), v.pipe(v.string(), v.regex(HEX_DIGEST, "expected lowercase hex")));

/**
 * A ResourceDescriptor (spec/v1/resource_descriptor.md), read loosely: unknown fields are kept,
 * and at least one of `uri`, `digest`, `content` is required.
 */
export const ResourceDescriptorSchema = v.pipe(
  v.looseObject({
    name: v.optional(v.string()),
    uri: v.optional(v.string()),
    digest: v.optional(DigestSetSchema),
    content: v.optional(v.string()),
    downloadLocation: v.optional(v.string()),
    mediaType: v.optional(v.string()),
    annotations: v.optional(v.record(v.string(), v.unknown())),
  }),
  v.check((rd) => rd.uri !== undefined || rd.digest !== undefined || rd.content !== undefined, "a ResourceDescriptor needs one of uri, digest, content"),
);

/** The runtime-trace predicate (v0.1 and v0.2 share these fields), read loosely: consumers ignore unknown fields. */
export const RuntimeTracePredicateSchema = v.looseObject({
  monitor: v.looseObject({
    type: v.pipe(v.string(), v.minLength(1)),
    configSource: v.optional(v.unknown()),
    tracePolicy: v.optional(v.record(v.string(), v.unknown())),
  }),
  monitoredProcess: v.looseObject({
    hostID: v.pipe(v.string(), v.minLength(1)),
    type: v.pipe(v.string(), v.minLength(1)),
    event: v.string(),
  }),
  monitorLog: v.looseObject({
    process: v.optional(v.array(v.record(v.string(), v.unknown()))),
    network: v.optional(v.array(v.record(v.string(), v.unknown()))),
    fileAccess: v.optional(v.array(ResourceDescriptorSchema)),
  }),
  metadata: v.optional(v.unknown()),
});

/** An in-toto Statement v1 (spec/v1/statement.md) with a runtime-trace predicate, read loosely. */
export const StatementSchema = v.looseObject({
  _type: v.literal(STATEMENT_TYPE),
  subject: v.pipe(
    v.array(
      v.pipe(
        ResourceDescriptorSchema,
        v.check((rd) => rd.digest !== undefined, "every subject must have a digest"),
      ),
    ),
    v.minLength(1, "expected at least one subject"),
  ),
  predicateType: v.pipe(v.string(), v.minLength(1)),
  predicate: v.optional(v.record(v.string(), v.unknown())),
});

/** A ResourceDescriptor as read. */
export type ResourceDescriptor = v.InferOutput<typeof ResourceDescriptorSchema>;
/** A runtime-trace predicate as read. */
export type RuntimeTracePredicate = v.InferOutput<typeof RuntimeTracePredicateSchema>;
/** An in-toto statement as read. */
export type Statement = v.InferOutput<typeof StatementSchema>;
