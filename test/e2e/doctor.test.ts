import { describe, expect, test } from "bun:test";
import { host, runAssay, skipReason } from "../harness.ts";

const cannot = skipReason(!host.hasBinary, "doctor e2e needs the compiled binary (bun scripts/build.ts)");
const checkNames = ["platform", "cgroup2", "privileges", "ebpf_engine", "bpf_load", "tracefs", "btf", "ptrace_scope", "strace"];

describe("assay-runner doctor", () => {
  test.skipIf(cannot)("--json prints every check and backend, and exits 0 exactly when some kernel capture works", async () => {
    const outcome = await runAssay(["doctor", "--json"]);
    const report = JSON.parse(outcome.stdout);
    const ebpf = report.backends.find((b: { backend: string }) => b.backend === "ebpf");
    const ptrace = report.backends.find((b: { backend: string }) => b.backend === "ptrace");
    expect({
      exitCode: outcome.exitCode,
      stderr: outcome.stderr,
      checks: report.checks.map((c: { check: string }) => c.check),
      backends: report.backends.map((b: { backend: string }) => b.backend),
      kernelCapture: report.kernel_capture,
      recommended: report.recommended,
    }).toEqual({
      exitCode: ebpf.available || ptrace.available ? 0 : 40,
      stderr: "",
      checks: checkNames,
      backends: ["ebpf", "ptrace", "none"],
      kernelCapture: ebpf.available || ptrace.available,
      recommended: ebpf.available ? "ebpf" : ptrace.available ? "ptrace" : "none",
    });
  });

  test.skipIf(cannot || skipReason(!host.hasCgroup2 || !host.canLoadBpf, "doctor's all-clear test needs root and cgroup v2"))(
    "on a root host the table says the native eBPF engine works, on stderr only",
    async () => {
      const outcome = await runAssay(["doctor"]);
      const lines = outcome.stderr.split("\n");
      expect({
        exitCode: outcome.exitCode,
        stdout: outcome.stdout,
        rows: checkNames.map((name) => lines.some((line) => new RegExp(`^(ok|FAIL)\\s+${name}\\s`).test(line))),
        bpfLoad: lines.some((line) => /^ok\s+bpf_load\s+the kernel accepted a BTF-typed raw sys_enter program \(type \d+ of its BTF\)/.test(line)),
        verdict: outcome.stderr.includes("kernel capture works here; --capture auto uses ebpf"),
      }).toEqual({ exitCode: 0, stdout: "", rows: checkNames.map(() => true), bpfLoad: true, verdict: true });
    },
  );
});
