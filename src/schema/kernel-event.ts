import * as v from "valibot";
import { KERNEL_EVENT_SCHEMA } from "./constants.ts";
import { I64Schema, U16Schema, U32Schema, U64Schema } from "./integers.ts";
import { invariants, shown, type InvariantViolation } from "./_invariant.ts";
import { RunIdSchema } from "./run-id.ts";
import { dnsRowViolations, DnsRowEntries } from "./dns-observation.ts";

/**
 * Monitor event id → kind for the ids the decoder knows (spec §2.3). Every other id is kept as
 * `event_<id>` with a null value.
 */
export const KERNEL_KINDS_BY_EVENT_TYPE: ReadonlyMap<number, string> = new Map([
  [1, "openat"],
  [2, "connect"],
  [4, "exec"],
  // deviation: upstream's JSON Schema lags its decoder and rejects these two (spec §5 item 7);
  // the decoder emits them, so we accept them.
  [6, "sendto"],
  [7, "sendmsg"],
  [10, "file_blocked"],
  [20, "connect_blocked"],
  // deviation: DNS observations are our rows (as exec rows are), kept apart from upstream's ids.
  [30, "dns_query"],
  [31, "dns_answer"],
  // deviation: under an audit-mode egress policy, an attempt the policy would have refused.
  [32, "connect_would_block"],
]);

/** The `access_mode` values, indexed by `flags & O_ACCMODE`. */
export const ACCESS_MODES = ["read", "write", "read_write", "unknown"] as const;

/** The `operation_flags` values, in the fixed order the decoder emits them. */
export const OPERATION_FLAGS = ["create", "truncate", "append", "exclusive"] as const;

const KernelEventEntries = v.object({
  schema: v.literal(KERNEL_EVENT_SCHEMA),
  run_id: RunIdSchema,
  seq: U64Schema,
  pid: U32Schema,
  event_type: U32Schema,
  kind: v.string(),
  // The decoder writes null, never "", for an empty C string or an undecodable address.
  value: v.nullable(v.pipe(v.string(), v.minLength(1, 'expected a non-empty string or null (the decoder writes null, not "")'))),
  cgroup_id: v.optional(U64Schema),
  network_destination: v.optional(v.string()),
  network_port: v.optional(U16Schema),
  rule_id: v.optional(U32Schema),
  flags: v.optional(U64Schema),
  mode: v.optional(U64Schema),
  resolve: v.optional(
    v.pipe(
      U64Schema,
      v.check((n) => n !== 0 && n !== 0n, "expected an integer >= 1 (resolve is omitted when 0)"),
    ),
  ),
  return_value: v.optional(I64Schema),
  access_mode: v.optional(v.picklist(ACCESS_MODES)),
  operation_flags: v.optional(v.array(v.picklist(OPERATION_FLAGS))),
  status: v.optional(v.picklist(["success", "error"])),
  // deviation: exec rows (ours) carry the argv the workload passed, cut at the backend's limits.
  argv: v.optional(v.array(v.string())),
  argv_truncated: v.optional(v.literal(true)),
  // Ours, only on dns_query / dns_answer rows (upstream's serde reader ignores unknown fields).
  ...DnsRowEntries,
});

/**
 * One `layers/kernel.ndjson` row (`assay.runner.kernel_event.v0`, spec §2.3), carrying the
 * constraints of upstream's JSON Schema, the decoder's kind↔event_type mapping, and the fields
 * derived from `flags` and `return_value`. Rows without open metadata (2026-05-24 producers) are valid.
 */
export const KernelEventSchema = v.pipe(
  KernelEventEntries,
  v.rawCheck<v.InferOutput<typeof KernelEventEntries>>(invariants<v.InferOutput<typeof KernelEventEntries>>(kernelViolations)),
);

/** One kernel row. */
export type KernelEvent = v.InferOutput<typeof KernelEventSchema>;

// --- internal ---

const LABEL = "kernel_event.v0 row";
const EVENT_KIND = /^event_(0|[1-9][0-9]*)$/;

function kernelViolations(row: v.InferOutput<typeof KernelEventEntries>): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const known = KERNEL_KINDS_BY_EVENT_TYPE.get(row.event_type);
  const knownTypeOfKind = eventTypeOfKind(row.kind);
  if (knownTypeOfKind !== undefined && knownTypeOfKind !== row.event_type) {
    violations.push({
      path: ["event_type"],
      expected: String(knownTypeOfKind),
      received: String(row.event_type),
      message: `${LABEL}: kind ${shown(row.kind)} requires event_type ${knownTypeOfKind}, received ${row.event_type}`,
    });
  } else if (knownTypeOfKind === undefined) {
    const generic = EVENT_KIND.exec(row.kind);
    if (generic === null) {
      violations.push({
        path: ["kind"],
        expected: `one of ${[...KERNEL_KINDS_BY_EVENT_TYPE.values()].map(shown).join(", ")} or "event_<id>"`,
        received: shown(row.kind),
        message: `${LABEL}: unknown kind ${shown(row.kind)}; unrecognized monitor ids are written as "event_<event_type>"`,
      });
    } else if (known !== undefined || Number(generic[1]) !== row.event_type) {
      const wanted = known ?? `event_${row.event_type}`;
      violations.push({
        path: ["kind"],
        expected: shown(wanted),
        received: shown(row.kind),
        message: `${LABEL}: event_type ${row.event_type} requires kind ${shown(wanted)}, received ${shown(row.kind)}`,
      });
    } else if (row.value !== null) {
      violations.push({
        path: ["value"],
        expected: "null",
        received: shown(row.value),
        message: `${LABEL}: kind ${shown(row.kind)} is an unrecognized monitor id and carries no value, received ${shown(row.value)}`,
      });
    }
  }
  if (row.status !== undefined) {
    if (row.return_value === undefined) {
      violations.push({
        path: ["return_value"],
        expected: "an integer (status is derived from it)",
        received: "undefined",
        message: `${LABEL}: status ${shown(row.status)} requires return_value`,
      });
    } else {
      const status = row.return_value < 0 ? "error" : "success";
      if (status !== row.status) {
        violations.push({
          path: ["status"],
          expected: shown(status),
          received: shown(row.status),
          message: `${LABEL}: return_value ${row.return_value} requires status ${shown(status)}, received ${shown(row.status)}`,
        });
      }
    }
  }
  if (row.access_mode !== undefined && row.flags !== undefined) {
    const mode = ACCESS_MODES[Number(BigInt(row.flags) & 3n)] as string;
    if (mode !== row.access_mode) {
      violations.push({
        path: ["access_mode"],
        expected: shown(mode),
        received: shown(row.access_mode),
        message: `${LABEL}: flags ${row.flags} (flags & 3 = ${Number(BigInt(row.flags) & 3n)}) require access_mode ${shown(mode)}, received ${shown(row.access_mode)}`,
      });
    }
  }
  if (row.operation_flags !== undefined) violations.push(...operationFlagViolations(row.operation_flags));
  violations.push(...dnsRowViolations(row));
  return violations;
}

function eventTypeOfKind(kind: string): number | undefined {
  for (const [eventType, name] of KERNEL_KINDS_BY_EVENT_TYPE) if (name === kind) return eventType;
  return undefined;
}

// Upstream's JSON Schema asks for unique items; the decoder also always writes them in
// OPERATION_FLAGS order, and the row bytes depend on that order.
function operationFlagViolations(flags: readonly string[]): InvariantViolation[] {
  let last = -1;
  for (const [i, flag] of flags.entries()) {
    const rank = (OPERATION_FLAGS as readonly string[]).indexOf(flag);
    if (rank <= last) {
      const duplicate = flags.indexOf(flag) < i;
      return [
        {
          path: ["operation_flags", i],
          expected: duplicate ? "unique items" : `items in the order ${OPERATION_FLAGS.map(shown).join(", ")}`,
          received: shown(flag),
          message: duplicate
            ? `${LABEL}: operation_flags lists ${shown(flag)} twice`
            : `${LABEL}: operation_flags must follow the order ${OPERATION_FLAGS.join(", ")}; ${shown(flag)} comes too late`,
        },
      ];
    }
    last = rank;
  }
  return [];
}
