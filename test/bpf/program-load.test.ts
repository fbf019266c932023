import { describe, expect, test } from "bun:test";
import { INTERRUPTED_RETRIES, retryInterrupted } from "../../src/bpf/program.ts";

const EAGAIN = 11;
const EACCES = 13;

// Answers with the given errnos in turn, then with success (fd 7).
function attempts(...errnos: number[]) {
  let calls = 0;
  const attempt = () => {
    const errno = errnos[calls++];
    return errno === undefined ? { ok: true as const, value: 7 } : { ok: false as const, errno };
  };
  return { attempt, calls: () => calls };
}

describe("retryInterrupted", () => {
  test("tries again after EAGAIN and returns the first answer that is not EAGAIN", () => {
    const interrupted = attempts(EAGAIN, EAGAIN);
    const refused = attempts(EAGAIN, EACCES);
    expect([retryInterrupted(interrupted.attempt), interrupted.calls(), retryInterrupted(refused.attempt), refused.calls()]).toEqual([
      { ok: true, value: 7 },
      3,
      { ok: false, errno: EACCES },
      2,
    ]);
  });

  test("never retries another errno, and gives up with EAGAIN after the retries", () => {
    const refused = attempts(EACCES);
    const alwaysInterrupted = attempts(...new Array(100).fill(EAGAIN));
    expect([retryInterrupted(refused.attempt), refused.calls(), retryInterrupted(alwaysInterrupted.attempt), alwaysInterrupted.calls()]).toEqual([
      { ok: false, errno: EACCES },
      1,
      { ok: false, errno: EAGAIN },
      1 + INTERRUPTED_RETRIES,
    ]);
  });
});
