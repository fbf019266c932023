import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { toIssues } from "../../src/schema/_to-issues.ts";
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

describe("toIssues", () => {
  test("a valibot message that already says what it received is not followed by it again; a custom one is", () => {
    const messagesOf = (schema: v.GenericSchema, value: unknown): string[] => {
      const result = v.safeParse(schema, value);
      return result.success ? [] : toIssues(result.issues, "doc.v0", { file: "d.json" }).map((issue) => issue.message);
    };
    expect([
      ...messagesOf(v.object({ n: v.pipe(v.number(), v.minValue(0)) }), { n: -1 }),
      ...messagesOf(
        v.object({
          n: v.pipe(
            v.number(),
            v.check((n) => n % 2 === 0, "expected an even number"),
          ),
        }),
        { n: 3 },
      ),
    ]).toEqual(["doc.v0: field n: invalid value: Expected >=0 but received -1", "doc.v0: field n: expected an even number, received 3"]);
  });
});
