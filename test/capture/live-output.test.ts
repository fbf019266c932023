import { describe, expect, test } from "bun:test";
import { LiveStraceOutput } from "../../src/capture/ptrace/live-output.ts";

const hex = (text: string) => `"${[...Buffer.from(text)].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("")}"`;

describe("LiveStraceOutput", () => {
  test("takes the first pid as the workload's and its +++ line as its end, over any split of the chunks", () => {
    const text = [
      `41  execve(${hex("/bin/sh")}, [], 0x7ff /* 1 var */) = 0`,
      "41  +++ superseded by execve +++",
      `42  openat(-100, ${hex("/w/a")}, 0x80000) = 3`,
      `42  openat(-100, ${hex("/w/a")}, 0x80000) = 3`,
      "42  +++ exited with 0 +++",
      "41  +++ killed by SIGTERM +++",
      "43  +++ exited with 1 +++",
      "",
    ].join("\n");
    for (const at of [1, 17, 64, 120, text.length - 3]) {
      const ends: unknown[] = [];
      const output = new LiveStraceOutput((exit) => ends.push(exit));
      output.push(text.slice(0, at));
      output.push(new TextEncoder().encode(text.slice(at)));
      output.finish();
      expect({ ends, values: output.records.map((r) => r.value), opens: output.loss().hooks.openat.emitted }).toEqual({
        ends: [{ exitCode: null, signal: 15 }],
        values: ["/bin/sh", "/w/a"],
        opens: 2,
      });
    }
  });

  test("reads a last line without its newline at the end, and knows whether anything came at all", () => {
    const silent = new LiveStraceOutput();
    silent.finish();
    const output = new LiveStraceOutput();
    output.push("7 +++ exited with 3 +++");
    output.finish();
    expect([silent.sawOutput, output.sawOutput, output.end]).toEqual([false, true, { exitCode: 3, signal: null }]);
  });
});
