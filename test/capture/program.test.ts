import { describe, expect, test } from "bun:test";
import { bpftraceProgram, syscallNumbers, type SyscallNumbers } from "../../src/capture/ebpf/program.ts";

const x64 = syscallNumbers("x64") as SyscallNumbers;
const arm64 = syscallNumbers("arm64") as SyscallNumbers;

describe("bpftraceProgram", () => {
  const program = bpftraceProgram({ cgroupId: 18446744073709551615n, markerPid: 4242, syscalls: x64 });

  test("dispatches on exactly the capture's syscalls and filters them on the session cgroup id or a tracked process", () => {
    const enter = program.split("tracepoint:raw_syscalls:sys_enter {\n")[1] ?? "";
    expect({
      dispatch: enter.split("\n").slice(0, 2),
      filter: enter.includes("} else if (cgroup == 18446744073709551615 || @tracked[pid]) {"),
      execFilter: program.includes("tracepoint:sched:sched_process_exec /cgroup == 18446744073709551615 || @tracked[pid]/"),
      forkTracking: program.includes("if (cgroup == 18446744073709551615 || @tracked[pid]) { @tracked[args->child_pid] = 1; }"),
    }).toEqual({
      dispatch: ["  $id = args->id;", "  if ($id == 257 || $id == 437 || $id == 2 || $id == 85 || $id == 42 || $id == 44 || $id == 46 || $id == 62) {"],
      filter: true,
      execFilter: true,
      forkTracking: true,
    });
  });

  test("prints the marker only for the runner's own kill(…, 0)", () => {
    expect(program).toContain("if (pid == 4242 && $a1 == 0) { printf(");
  });

  test("names each tracepoint field once per probe (every `args` expression costs bpftrace 0.17 tens of ms to compile)", () => {
    const probes = program.split(/\n(?=tracepoint:|END)/);
    const repeated = probes.flatMap((probe) => {
      const fields: string[] = probe.match(/args->[a-z_]+(\[\d\])?/g) ?? [];
      return fields.filter((field, i) => fields.indexOf(field) !== i);
    });
    expect({ repeated, total: (program.match(/args->/g) ?? []).length }).toEqual({ repeated: [], total: 10 });
  });

  test("leaves out the legacy open and creat where the architecture has none (arm64)", () => {
    const arm = bpftraceProgram({ cgroupId: 5n, markerPid: 1, syscalls: arm64 });
    expect(arm.split("tracepoint:raw_syscalls:sys_exit {\n")[1]?.split("\n").slice(0, 2)).toEqual(["  $id = args->id;", "  if ($id == 56 || $id == 437) {"]);
  });
});
