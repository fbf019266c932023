import { describe, expect, test } from "bun:test";
import { bpftraceProgram, syscallNumbers, type SyscallNumbers } from "../../src/capture/ebpf/program.ts";

const x64 = syscallNumbers("x64") as SyscallNumbers;
const arm64 = syscallNumbers("arm64") as SyscallNumbers;

describe("bpftraceProgram", () => {
  const program = bpftraceProgram({ cgroupId: 18446744073709551615n, markerPid: 4242, syscalls: x64 });

  test("dispatches on exactly the capture's syscalls and filters them on the session cgroup id or a tracked process", () => {
    const enter = program.split("tracepoint:raw_syscalls:sys_enter ")[1] ?? "";
    expect({
      predicate: enter.split("\n")[0],
      filter: enter.includes("} else if (cgroup == 18446744073709551615 || @tracked[pid]) {"),
      execFilter: program.includes("tracepoint:sched:sched_process_exec /cgroup == 18446744073709551615 || @tracked[pid]/"),
      forkTracking: program.includes("if (cgroup == 18446744073709551615 || @tracked[pid]) { @tracked[args->child_pid] = 1; }"),
    }).toEqual({
      predicate: "/args->id == 257 || args->id == 437 || args->id == 2 || args->id == 85 || args->id == 42 || args->id == 44 || args->id == 46 || args->id == 62/ {",
      filter: true,
      execFilter: true,
      forkTracking: true,
    });
  });

  test("prints the marker only for the runner's own kill(…, 0)", () => {
    expect(program).toContain("if (pid == 4242 && args->args[1] == 0) { printf(");
  });

  test("leaves out the legacy open and creat where the architecture has none (arm64)", () => {
    const arm = bpftraceProgram({ cgroupId: 5n, markerPid: 1, syscalls: arm64 });
    expect(arm.split("tracepoint:raw_syscalls:sys_exit ")[1]?.split("\n")[0]).toBe("/(args->id == 56 || args->id == 437) && @pending_hook[tid]/ {");
  });
});
