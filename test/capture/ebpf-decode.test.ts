// The native engine's decoder on ring-buffer records recorded from real runs
// (test/fixtures/capture/record-native.ts): no root needed.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NativeDecoder, type DecodeTally } from "../../src/capture/ebpf/decode.ts";
import { captureLoss } from "../../src/capture/ebpf/loss.ts";
import { Counter, HEADER, HOOK_IDS, OPEN, RecordBit, RecordType, RETURN } from "../../src/capture/ebpf/record-layout.ts";
import type { KernelRecord } from "../../src/capture/index.ts";
import { repoRoot } from "../harness.ts";
import { syscallsRunLoss, syscallsRunRecords, withoutPid } from "./_records.ts";

const fixtures = join(repoRoot, "test/fixtures/capture");

function recorded(name: string): { records: Uint8Array[]; counters: number[] } {
  const bytes = readFileSync(join(fixtures, `native-${name}.bin`));
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readUInt32LE(at);
    records.push(new Uint8Array(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return { records, counters: JSON.parse(readFileSync(join(fixtures, `native-${name}.counters.json`), "utf8")) };
}

function decode(records: readonly Uint8Array[]) {
  const decoder = new NativeDecoder();
  const out: KernelRecord[] = [];
  for (const record of records) out.push(...decoder.push(record));
  return { records: out, tally: decoder.finish() };
}

/** One OPEN record (sent at entry, without its return value) and the RETURN that completes it. */
function openAndReturn(tid: number, path: string, returnValue: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(`${path}\0`);
  const open = new Uint8Array(OPEN.path + bytes.length);
  const view = new DataView(open.buffer);
  view.setUint8(HEADER.type, RecordType.OPEN);
  view.setUint8(HEADER.hook, 1);
  view.setUint32(HEADER.tgid, tid, true);
  view.setUint32(HEADER.tid, tid, true);
  view.setUint32(HEADER.length, bytes.length, true);
  open.set(bytes, OPEN.path);
  const ret = new Uint8Array(RETURN.size);
  const retView = new DataView(ret.buffer);
  retView.setUint8(HEADER.type, RecordType.RETURN);
  retView.setUint8(HEADER.hook, 1);
  retView.setUint32(HEADER.tid, tid, true);
  retView.setBigInt64(RETURN.returnValue, BigInt(returnValue), true);
  return [open, ret];
}

describe("NativeDecoder on recorded ring-buffer records", () => {
  test("decodes every hook of the syscalls workload: its exec with argv, openat2 resolve, legacy open and creat, IPv4 and IPv6 peers", () => {
    const { records } = decode(recorded("syscalls").records);
    const [exec, ...rest] = syscallsRunRecords;
    expect(records.map(withoutPid)).toEqual([{ ...exec, argv: ["/tmp/cx/t2"] }, ...rest] as KernelRecord[]);
  });

  test("counts per-hook emissions, sends without a peer and sends to non-IP families, with nothing lost", () => {
    const { records, counters } = recorded("syscalls");
    expect(captureLoss(counters, decode(records).tally, 0)).toEqual({ ...syscallsRunLoss, unobserved: {} });
  });

  test("keeps tabs, quotes, backslashes, newlines and UTF-8 in paths, and turns invalid bytes into U+FFFD", () => {
    const { records } = decode(recorded("mixed").records);
    const work = "/tmp/assay-fixture-work/";
    const names = records
      .filter((r) => r.eventType === 1 && String(r.value).startsWith(work) && r.flags === 0o1101)
      .map((r) => String(r.value).slice(work.length));
    expect(names.slice(0, 5)).toEqual(["plain.txt", "café", 'tab\tquote"back\\slash', "new\nline", "bad-\uFFFD-utf8"]);
  });

  test("carries the 269-byte path whole (bpftrace cut it at 199) and flags nothing as truncated", () => {
    const { records, tally } = decode(recorded("mixed").records);
    const long = `/tmp/assay-fixture-work/${"d".repeat(120)}/${"f".repeat(120)}.txt`;
    expect({ found: records.some((r) => r.value === long), truncated: records.filter((r) => r.truncated === true).length, cut: tally.cutStrings }).toEqual({
      found: true,
      truncated: 0,
      cut: 0,
    });
  });

  test("sees execs through /bin/sh with their argv, and the grandchild's open", () => {
    const { records } = decode(recorded("mixed").records);
    const execs = records.filter((r) => r.eventType === 4);
    const grandchildRead = records.some((r) => r.eventType === 1 && r.value === "/tmp/assay-fixture-work/plain.txt" && r.flags === 0);
    expect({
      sh: execs.some((r) => r.value === "/bin/sh" && r.argv?.[0] === "/bin/sh" && r.argv?.[1] === "-c"),
      trueExec: execs.some((r) => r.value === "/bin/true" && r.argv?.length === 1),
      grandchildRead,
    }).toEqual({ sh: true, trueExec: true, grandchildRead: true });
  });
});

describe("NativeDecoder joins and accounting", () => {
  test("an OPEN waits for its thread's RETURN, threads interleaved", () => {
    const [openA, returnA] = openAndReturn(10, "/a", 3);
    const [openB, returnB] = openAndReturn(11, "/b", -2);
    const { records, tally } = decode([openA, openB, returnB, returnA] as Uint8Array[]);
    expect({ records: records.map((r) => [r.value, r.returnValue]), missing: tally.returnsMissing }).toEqual({
      records: [
        ["/b", -2],
        ["/a", 3],
      ],
      missing: 0,
    });
  });

  test("an OPEN whose RETURN never came is counted, never given a made-up return value", () => {
    const [openA] = openAndReturn(10, "/a", 3);
    const [openB, returnB] = openAndReturn(10, "/b", 4);
    const { records, tally } = decode([openA, openB, returnB] as Uint8Array[]);
    expect({ records: records.map((r) => r.value), missing: tally.returnsMissing }).toEqual({ records: ["/b"], missing: 1 });
  });

  test("a record shorter than its header or its declared string is malformed, not decoded", () => {
    const [open] = openAndReturn(10, "/abc", 3) as [Uint8Array];
    const { records, tally } = decode([open.subarray(0, 8), open.subarray(0, open.length - 2), new Uint8Array(HEADER.size)]);
    expect({ records, malformed: tally.malformed }).toEqual({ records: [], malformed: 3 });
  });

  test("a path read at exit (HAS_RETURN) is complete on its own; a cut one is flagged", () => {
    const [open] = openAndReturn(12, "/x", 0) as [Uint8Array];
    const view = new DataView(open.buffer);
    view.setUint16(HEADER.bits, RecordBit.HAS_RETURN | RecordBit.CUT, true);
    view.setBigInt64(OPEN.returnValue, -36n, true);
    const { records, tally } = decode([open]);
    expect({ records: records.map((r) => [r.value, r.returnValue, r.truncated]), cut: tally.cutStrings }).toEqual({ records: [["/x", -36, true]], cut: 1 });
  });
});

describe("captureLoss", () => {
  test("a hook's emitted records that never arrived are drops, and every unobserved effect is named", () => {
    const counters = Array.from({ length: Counter.COUNT }, () => 0);
    counters[Counter.emitted(1)] = 100; // openat emitted
    counters[Counter.dropped(1)] = 5; // openat dropped in the kernel
    counters[Counter.PATH_UNREADABLE] = 2; // paths unreadable at entry and exit
    counters[Counter.OPEN_TAIL_CALL_FAILED] = 4; // open entries that could not reach the path program
    counters[Counter.COMPAT_SYSCALLS] = 6; // 32-bit syscalls the handlers skipped
    counters[Counter.UNTRACED_TASKS] = 1; // a session thread that ended without the syscall-tracepoint flag
    const tally = {
      received: { openat: 90, openat2: 0, open: 0, creat: 0, connect: 0, sendto: 0, sendmsg: 0, exec: 0 },
      malformed: 0,
      returnsMissing: 1,
      cutStrings: 0,
      unreadableStrings: 0,
    };
    const loss = captureLoss(counters, tally, 3);
    expect({ openat: loss.hooks.openat, drops: loss.ringbufDrops, unobserved: loss.unobserved }).toEqual({
      openat: { emitted: 100, dropped: 15 },
      drops: 15,
      unobserved: { path_unreadable: 2, open_tail_call_failed: 4, compat_syscalls: 6, return_missing: 1, bpf_recursion_misses: 3, untraced_tasks: 1 },
    });
  });

  test("a runner that joined the session and was never seen there makes the capture say its syscalls were untraced", () => {
    const tally = {
      received: Object.fromEntries(Object.keys(HOOK_IDS).map((hook) => [hook, 0])) as DecodeTally["received"],
      malformed: 0,
      returnsMissing: 0,
      cutStrings: 0,
      unreadableStrings: 0,
    };
    const counters = (runnerSeen: number) => Array.from({ length: Counter.COUNT }, (_, index) => (index === Counter.RUNNER_SEEN ? runnerSeen : 0));
    expect([
      captureLoss(counters(0), tally, 0, true).unobserved,
      captureLoss(counters(2), tally, 0, true).unobserved,
      // an engine armed without the runner joining (tests, the bench) expects nothing of it
      captureLoss(counters(0), tally, 0, false).unobserved,
    ]).toEqual([{ runner_syscalls_untraced: 1 }, {}, {}]);
  });
});

describe("NativeDecoder on hostile bytes", () => {
  test("random records, and valid records cut anywhere, never throw: each is decoded or counted malformed", async () => {
    const fc = await import("fast-check");
    const { records } = recorded("mixed");
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(records.length - 1), fc.nat(600)), { maxLength: 20 }),
        (random, cuts) => {
          const decoder = new NativeDecoder();
          let decoded = 0;
          const inputs = [...random, ...cuts.map(([index, at]) => (records[index] as Uint8Array).subarray(0, at))];
          for (const input of inputs) decoded += decoder.push(input).length;
          const tally = decoder.finish();
          return Number.isInteger(decoded) && tally.malformed >= 0 && tally.malformed <= inputs.length;
        },
      ),
      { numRuns: 300 },
    );
  });
});
