import { describe, expect, test } from "bun:test";
import { chooseBackend, noneBackend } from "../../src/capture/index.ts";
import type { CaptureBackend, CaptureBackendName } from "../../src/capture/index.ts";

const fake = (name: CaptureBackendName, available: boolean): CaptureBackend => ({
  name,
  probe: async () => ({ backend: name, available, reason: available ? "ok" : `${name} is missing here`, version: "" }),
  arm: noneBackend.arm,
});

describe("chooseBackend", () => {
  test("auto takes eBPF when the host allows it", async () => {
    const choice = await chooseBackend("auto", [fake("ebpf", true), fake("ptrace", true), noneBackend]);
    expect(choice.ok && [choice.backend.name, choice.tried.map((p) => p.backend)]).toEqual(["ebpf", ["ebpf"]]);
  });

  test("auto falls back to ptrace, then to none, recording what it tried", async () => {
    const ptrace = await chooseBackend("auto", [fake("ebpf", false), fake("ptrace", true), noneBackend]);
    const none = await chooseBackend("auto", [fake("ebpf", false), fake("ptrace", false), noneBackend]);
    expect([ptrace.ok && ptrace.backend.name, none.ok && none.backend.name, none.tried.map((p) => p.available)]).toEqual(["ptrace", "none", [false, false, true]]);
  });

  test("an explicit backend that is unavailable is refused with its reason", async () => {
    const choice = await chooseBackend("ebpf", [fake("ebpf", false), fake("ptrace", true), noneBackend]);
    expect(choice).toEqual({ ok: false, reason: "ebpf: ebpf is missing here", tried: [{ backend: "ebpf", available: false, reason: "ebpf is missing here", version: "" }] });
  });
});
