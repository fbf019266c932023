import { expect, test } from "bun:test";
import { errnoName, errnoNumber } from "../../src/bpf/index.ts";

test("errno names and numbers come from one table, both ways; a number with two names takes the first", () => {
  expect({
    names: [1, 11, 13, 35, 95, 512, 524, 9999].map(errnoName),
    numbers: ["ENOENT", "EWOULDBLOCK", "EAGAIN", "ERESTARTSYS", "ENOTSUPP", "NOPE"].map(errnoNumber),
  }).toEqual({
    names: ["EPERM (1)", "EAGAIN (11)", "EACCES (13)", "EDEADLK (35)", "EOPNOTSUPP (95)", "ERESTARTSYS (512)", "ENOTSUPP (524)", "errno 9999"],
    numbers: [2, 11, 11, 512, 524, undefined],
  });
});
