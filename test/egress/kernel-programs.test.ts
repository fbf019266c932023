// The egress programs as instructions, before any kernel sees them: what every kernel the runner
// supports accepts. (The load itself is tested as root, by the egress e2e tests.)
import { describe, expect, test } from "bun:test";
import { assemble } from "../../src/bpf/index.ts";
import { AttemptSyscall, decide4Program, decide6Program, EgressMap, type EgressProgramOptions, replySourceProgram } from "../../src/egress/kernel-programs.ts";

const stub = { address: new Uint8Array([127, 0, 0, 153]), port: 53, upstreamAddress: new Uint8Array([192, 168, 200, 1]), upstreamPort: 53 };
const fakeFds = new Map(Object.values(EgressMap).map((name, i) => [name, 100 + i]));
const BPF_ST = 0x02;
const CONTEXT = 6;

// Every program built for every mode, syscall and stub setting, assembled to its 8-byte slots.
function everyProgram(): Array<{ name: string; slots: Uint8Array[] }> {
  const built: Array<{ name: string; slots: Uint8Array[] }> = [];
  for (const mode of ["audit", "block"] as const) {
    for (const options of [{ mode }, { mode, stub }] satisfies EgressProgramOptions[]) {
      const label = `${mode}${"stub" in options ? "+stub" : ""}`;
      for (const [name, program] of [
        [`connect4 ${label}`, decide4Program(AttemptSyscall.CONNECT, options)],
        [`sendmsg4 ${label}`, decide4Program(AttemptSyscall.SENDMSG, options)],
        [`connect6 ${label}`, decide6Program(AttemptSyscall.CONNECT, options)],
        [`sendmsg6 ${label}`, decide6Program(AttemptSyscall.SENDMSG, options)],
        [`recvmsg4 ${label}`, replySourceProgram(options)],
      ] as const) {
        const bytes = assemble(program, fakeFds);
        const slots: Uint8Array[] = [];
        for (let at = 0; at < bytes.length; at += 8) slots.push(bytes.subarray(at, at + 8));
        built.push({ name, slots });
      }
    }
  }
  return built;
}

describe("egress kernel programs", () => {
  test("write the context only from a register: Linux before 6.3 (Debian 12's 6.1) refuses BPF_ST into it", () => {
    const offending: string[] = [];
    let checked = 0;
    for (const { name, slots } of everyProgram()) {
      // R6 holds the context from the first instruction on (mov r6, r1) and is never assigned again;
      // a program that does not start so (recvmsg4 without a stub allows at once) never writes R6
      const [first, ...rest] = slots;
      const holdsContext = first !== undefined && first[0] === 0xbf && first[1] === (1 << 4) + CONTEXT;
      const writesR6 = rest.filter((slot) => (slot[1]! & 0x0f) === CONTEXT && [0x04, 0x07, 0x00, 0x01].includes(slot[0]! & 0x07));
      if (writesR6.length > 0) offending.push(`${name}: R6 ${holdsContext ? "reassigned" : "written"}`);
      if (!holdsContext) continue;
      checked += 1;
      for (const slot of rest) if ((slot[0]! & 0x07) === BPF_ST && (slot[1]! & 0x0f) === CONTEXT) offending.push(`${name}: BPF_ST into the context`);
    }
    expect(checked).toBe(18);
    expect(offending).toEqual([]);
  });
});
