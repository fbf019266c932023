import { describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { watchTracee } from "../../src/capture/ptrace/watch-tracee.ts";
import { tempDir } from "../harness.ts";

describe("watchTracee", () => {
  test("takes the first pid as the workload's and its exit line as its end, over any split of the writes", () => {
    using dir = tempDir("watch");
    const out = join(dir.path, "strace.out");
    const lines = ["41  execve(\"\\x2f\") = 0\n", "41 +++ superseded by execve +++\n", "42 execve(\"\\x2f\") = 0\n", "42 +++ exited with 0 +++\n", "41  +++ kill", "ed by SIGTERM +++\n", "43 +++ exited with 1 +++\n"];
    writeFileSync(out, "4");
    using watch = watchTracee(out, 60_000);
    const seen: unknown[] = [watch.poll()];
    appendFileSync(out, lines.join("").slice(1, 60));
    seen.push(watch.poll());
    appendFileSync(out, lines.join("").slice(60));
    seen.push(watch.poll());
    expect(seen).toEqual([undefined, undefined, { exitCode: null, signal: 15 }]);
  });

  test("reads an exit code and resolves `ended`", async () => {
    using dir = tempDir("watch");
    const out = join(dir.path, "strace.out");
    writeFileSync(out, '7 execve("\\x2f") = 0\n7 +++ exited with 3 +++\n');
    using watch = watchTracee(out, 5);
    expect(await watch.ended).toEqual({ exitCode: 3, signal: null });
  });
});
