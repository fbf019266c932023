import * as v from "valibot";

/** Largest u64 value. */
export const U64_MAX = 18446744073709551615n;

/**
 * An unsigned 64-bit integer: a safe integer `number`, or a `bigint` (which the lossless JSON
 * parser produces beyond 2^53). A `number` beyond 2^53 is rejected: it was rounded on the way in.
 */
export const U64Schema = v.union(
  [
    v.pipe(
      v.number(),
      v.integer("expected an integer"),
      v.minValue(0, "expected an integer >= 0"),
      v.check((n: number) => !Number.isInteger(n) || Number.isSafeInteger(n), "integer beyond 2^53 lost precision; parse it losslessly as bigint"),
    ),
    v.pipe(v.bigint(), v.minValue(0n, "expected an integer >= 0"), v.maxValue(U64_MAX, "expected an integer < 2^64")),
  ],
  "expected a non-negative integer",
);

/** A signed 64-bit integer (`return_value`): a safe integer `number`, or a `bigint` in the i64 range. */
export const I64Schema = v.union(
  [
    v.pipe(
      v.number(),
      v.integer("expected an integer"),
      v.check((n: number) => !Number.isInteger(n) || Number.isSafeInteger(n), "integer beyond 2^53 lost precision; parse it losslessly as bigint"),
    ),
    v.pipe(v.bigint(), v.minValue(-(2n ** 63n), "expected an i64"), v.maxValue(2n ** 63n - 1n, "expected an i64")),
  ],
  "expected an integer",
);

/** A count: a safe non-negative integer (tallies, `sample_limit`). */
export const CountSchema = v.pipe(v.number(), v.safeInteger("expected an integer"), v.minValue(0, "expected an integer >= 0"));

/** An unsigned 32-bit integer (`pid`, `event_type`, `rule_id`). */
export const U32Schema = v.pipe(
  v.number(),
  v.integer("expected an integer"),
  v.minValue(0, "expected an integer >= 0"),
  v.maxValue(0xffff_ffff, "expected an integer < 2^32"),
);

/** An unsigned 16-bit integer (`network_port`). */
export const U16Schema = v.pipe(
  v.number(),
  v.integer("expected an integer"),
  v.minValue(0, "expected an integer >= 0"),
  v.maxValue(0xffff, "expected an integer < 2^16"),
);

/** A signed 32-bit integer (`exit_code`, `signal`). */
export const I32Schema = v.pipe(
  v.number(),
  v.integer("expected an integer"),
  v.minValue(-(2 ** 31), "expected an i32"),
  v.maxValue(2 ** 31 - 1, "expected an i32"),
);

/** A u64 value as read: `number` while safe, `bigint` beyond 2^53. */
export type U64 = v.InferOutput<typeof U64Schema>;
/** An i64 value as read: `number` while safe, `bigint` beyond. */
export type I64 = v.InferOutput<typeof I64Schema>;
