import { describe, expect, test } from "bun:test";
import { formatIssue, type Issue } from "../../src/schema/index.ts";

const base: Issue = { code: "X", file: "a.tar.gz", path: "", expected: "", received: "", message: "went wrong" };

describe("formatIssue", () => {
  test("renders file:line: member › path: message", () => {
    expect(formatIssue({ ...base, line: 3, member: "layers/kernel.ndjson", path: "seq" })).toBe("a.tar.gz:3: layers/kernel.ndjson › seq: went wrong");
  });

  test("puts the message right after the place when there is neither member nor path", () => {
    expect([formatIssue(base), formatIssue({ ...base, line: 2 })]).toEqual(["a.tar.gz: went wrong", "a.tar.gz:2: went wrong"]);
  });
});
