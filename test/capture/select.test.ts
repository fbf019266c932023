import { describe, expect, test } from "bun:test";
import { armBackend, CaptureHostError, chooseBackend, noneBackend } from "../../src/capture/index.ts";
import type { CaptureBackend, CaptureBackendName, CaptureTarget } from "../../src/capture/index.ts";

const fake = (name: CaptureBackendName, available: boolean): CaptureBackend => ({
  name,
  probe: async () => ({ backend: name, available, reason: available ? "ok" : `${name} is missing here`, version: "" }),
  arm: noneBackend.arm,
});

describe("chooseBackend", () => {
  test("auto takes eBPF when the host allows it", async () => {
    const choice = await chooseBackend("auto", [fake("ebpf", true), fake("ptrace", true), noneBackend]);
    expect(choice.ok && [choice.backend.name, choice.tried.map((p) => p.backend), choice.rest.map((b) => b.name)]).toEqual([
      "ebpf",
      ["ebpf"],
      ["ptrace", "none"],
    ]);
  });

  test("auto falls back to ptrace, then to none, recording what it tried", async () => {
    const ptrace = await chooseBackend("auto", [fake("ebpf", false), fake("ptrace", true), noneBackend]);
    const none = await chooseBackend("auto", [fake("ebpf", false), fake("ptrace", false), noneBackend]);
    expect([ptrace.ok && ptrace.backend.name, none.ok && none.backend.name, none.tried.map((p) => p.available)]).toEqual([
      "ptrace",
      "none",
      [false, false, true],
    ]);
  });

  test("an explicit backend that is unavailable is refused with its reason", async () => {
    const choice = await chooseBackend("ebpf", [fake("ebpf", false), fake("ptrace", true), noneBackend]);
    expect(choice).toEqual({
      ok: false,
      reason: "ebpf: ebpf is missing here",
      tried: [{ backend: "ebpf", available: false, reason: "ebpf is missing here", version: "" }],
    });
  });
});

/** A backend that probes available but whose arm fails like an eBPF engine the kernel refuses; records what it was given. */
function failingArm(name: CaptureBackendName, error: Error, calls: Array<string>): CaptureBackend {
  return {
    name,
    probe: async () => ({ backend: name, available: true, reason: "ok", version: "" }),
    arm: async (target) => {
      calls.push(`${name}:${target?.cgroupPath ?? "-"}`);
      throw error;
    },
  };
}

function arming(name: CaptureBackendName, calls: Array<string>): CaptureBackend {
  return {
    name,
    probe: async () => ({ backend: name, available: true, reason: "ok", version: "" }),
    arm: async (target) => {
      calls.push(`${name}:${target?.cgroupPath ?? "-"}`);
      return { ...(await noneBackend.arm(undefined)), backend: name, version: `${name} 1.0` };
    },
  };
}

const target: CaptureTarget = { cgroupPath: "/cg/session", cgroupId: 7n, scratchDir: "/tmp/scratch" };
const attachFailed = () => new CaptureHostError("CAPTURE_ATTACH_FAILED", "eBPF could not be armed: BPF_PROG_LOAD a1_opat_in failed: EACCES (13)");

describe("armBackend", () => {
  test("arms the chosen backend on the session when it works, with no fallback", async () => {
    const calls: string[] = [];
    const result = await armBackend(arming("ebpf", calls), [arming("ptrace", calls), noneBackend], target);
    expect([result.armed.version, result.fallbacks, calls]).toEqual(["ebpf 1.0", [], ["ebpf:/cg/session"]]);
  });

  test("auto: an eBPF backend that cannot arm gives way to ptrace, and the reason is kept", async () => {
    const calls: string[] = [];
    const result = await armBackend(failingArm("ebpf", attachFailed(), calls), [arming("ptrace", calls), noneBackend], target);
    expect([result.armed.version, result.fallbacks, calls]).toEqual([
      "ptrace 1.0",
      ["ebpf: eBPF could not be armed: BPF_PROG_LOAD a1_opat_in failed: EACCES (13)"],
      ["ebpf:/cg/session", "ptrace:/cg/session"],
    ]);
  });

  test("auto: when ptrace cannot arm either, none is armed without the session; unavailable backends are skipped unarmed", async () => {
    const calls: string[] = [];
    const unavailable = { ...arming("ptrace", calls), probe: async () => ({ backend: "ptrace" as const, available: false, reason: "no strace", version: "" }) };
    const viaUnavailable = await armBackend(failingArm("ebpf", attachFailed(), calls), [unavailable, noneBackend], target);
    const ptraceFails = await armBackend(
      failingArm("ebpf", attachFailed(), calls),
      [failingArm("ptrace", new CaptureHostError("CAPTURE_UNAVAILABLE", "strace is not installed"), calls), noneBackend],
      target,
    );
    expect([viaUnavailable.armed.backend, viaUnavailable.fallbacks, ptraceFails.armed.backend, ptraceFails.fallbacks, calls]).toEqual([
      "none",
      ["ebpf: eBPF could not be armed: BPF_PROG_LOAD a1_opat_in failed: EACCES (13)"],
      "none",
      ["ebpf: eBPF could not be armed: BPF_PROG_LOAD a1_opat_in failed: EACCES (13)", "ptrace: strace is not installed"],
      ["ebpf:/cg/session", "ebpf:/cg/session", "ptrace:/cg/session"],
    ]);
  });

  test("the abilities follow the backend actually armed: a fallback to none captures no kernel and needs no session", async () => {
    const kernel = await armBackend(arming("ptrace", []), [], target);
    const fellBack = await armBackend(failingArm("ebpf", attachFailed(), []), [noneBackend], target);
    expect([kernel.abilities, fellBack.armed.backend, fellBack.abilities]).toEqual([
      { capturesKernel: true, needsSession: true },
      "none",
      { capturesKernel: false, needsSession: false },
    ]);
  });

  test("an explicit request (nothing to fall back to) rethrows the arm failure, which exits 40", async () => {
    const error = attachFailed();
    const thrown = await armBackend(failingArm("ebpf", error, []), [], target).catch((e: unknown) => e);
    expect([thrown, (thrown as CaptureHostError).exitCode]).toEqual([error, 40]);
  });

  test("a failure that is not the host's (a bug) is rethrown even under auto", async () => {
    const bug = new TypeError("undefined is not a function");
    const thrown = await armBackend(failingArm("ebpf", bug, []), [noneBackend], target).catch((e: unknown) => e);
    expect(thrown).toBe(bug);
  });
});
