import { describe, expect, test } from "bun:test";
import { bpftraceProgram } from "../../src/capture/ebpf/program.ts";

describe("bpftraceProgram", () => {
  const program = bpftraceProgram({ cgroupId: 18446744073709551615n, markerPid: 4242 });

  test("filters every capture hook on the exact session cgroup id or a tracked descendant process", () => {
    const hooks = ["sys_enter_openat ", "sys_enter_openat2 ", "sys_enter_open ", "sys_enter_creat ", "sys_enter_connect ", "sys_enter_sendto ", "sys_enter_sendmsg ", "sched_process_exec ", "sched_process_fork "];
    const filtered = hooks.map((hook) => program.split(`${hook}{`)[1]?.split("\n}")[0]?.includes("$in = cgroup == 18446744073709551615 || @tracked[pid];"));
    expect(filtered).toEqual(hooks.map(() => true));
  });

  test("prints the marker only for the runner's own kill(…, 0)", () => {
    expect(program).toContain("tracepoint:syscalls:sys_enter_kill /pid == 4242 && args->sig == 0/");
  });
});
