import { describe, expect, test } from "bun:test";
import { formatDuration, parseDuration } from "../../src/run/index.ts";

describe("parseDuration", () => {
  test("reads milliseconds, seconds, minutes and hours", () => {
    expect(["500ms", "30s", "2m", "1h", "1.5s", "0s"].map(parseDuration)).toEqual([500, 30_000, 120_000, 3_600_000, 1500, 0]);
  });
  test("rejects numbers without a unit, negative values and unknown units", () => {
    expect(["30", "-1s", "5d", "s", "", "1e3ms", "1 s"].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("formatDuration", () => {
  test("prints the largest whole unit and round-trips through parseDuration", () => {
    const values = [300, 1000, 1500, 60_000, 90_000];
    expect(values.map(formatDuration)).toEqual(["300ms", "1s", "1500ms", "1m", "90s"]);
    expect(values.map((ms) => parseDuration(formatDuration(ms)))).toEqual(values);
  });
});
