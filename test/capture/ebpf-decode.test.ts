import { describe, expect, test } from "bun:test";
import { BpftraceLossCounter, decodeBpftraceLine } from "../../src/capture/ebpf/decode.ts";
import type { KernelRecord } from "../../src/capture/index.ts";
import { recordedLines, syscallsRunLoss, syscallsRunRecords, withoutPid } from "./_records.ts";

function decodeAll(lines: readonly string[]) {
  const counter = new BpftraceLossCounter();
  const records: KernelRecord[] = [];
  for (const line of lines) {
    const decoded = decodeBpftraceLine(line);
    counter.add(decoded);
    if (decoded.kind === "record") records.push(decoded.record);
  }
  return { records, loss: counter.loss() };
}

describe("decodeBpftraceLine on recorded bpftrace 0.17 output", () => {
  test("decodes every hook of the syscalls workload: openat2 resolve, legacy open and creat, IPv4 and IPv6 peers", () => {
    const { records } = decodeAll(recordedLines("bpftrace-syscalls.out"));
    expect(records.map(withoutPid)).toEqual([...syscallsRunRecords]);
  });

  test("counts per-hook emissions, sends without a peer and sends to non-IP families, with nothing lost", () => {
    const { loss } = decodeAll(recordedLines("bpftrace-syscalls.out"));
    expect(loss).toEqual(syscallsRunLoss);
  });

  test("keeps tabs, quotes, backslashes, newlines and UTF-8 in paths, and turns invalid bytes into U+FFFD", () => {
    const { records } = decodeAll(recordedLines("bpftrace-mixed.out"));
    const work = "/tmp/assay-fixture-work/";
    const names = records.filter((r) => r.eventType === 1 && String(r.value).startsWith(work) && r.flags === 0o1101).map((r) => String(r.value).slice(work.length));
    expect(names.slice(0, 5)).toEqual(["plain.txt", "café", 'tab\tquote"back\\slash', "new\nline", "bad-\uFFFD-utf8"]);
  });

  test("flags a path that filled bpftrace's string buffer as truncated, and only that one", () => {
    const { records, loss } = decodeAll(recordedLines("bpftrace-mixed.out"));
    const truncated = records.filter((r) => r.truncated === true);
    expect({
      count: truncated.length,
      bytes: truncated.map((r) => new TextEncoder().encode(String(r.value)).length),
      prefix: truncated.every((r) => String(r.value).startsWith("/tmp/assay-fixture-work/ddd")),
      lossCount: loss.truncatedPaths,
    }).toEqual({ count: 1, bytes: [199], prefix: true, lossCount: 1 });
  });

  test("sees execs through /bin/sh and the grandchild's open", () => {
    const { records } = decodeAll(recordedLines("bpftrace-mixed.out"));
    const execs = records.filter((r) => r.eventType === 4).map((r) => r.value);
    const grandchildRead = records.some((r) => r.eventType === 1 && r.value === "/tmp/assay-fixture-work/plain.txt" && r.flags === 0);
    expect({ sh: execs.includes("/bin/sh"), trueExec: execs.includes("/bin/true"), nested: execs.includes("/usr/bin/sh"), grandchildRead }).toEqual({ sh: true, trueExec: true, nested: true, grandchildRead: true });
  });
});

describe("BpftraceLossCounter", () => {
  test("on a recorded flood excerpt, every kernel-counted open that never arrived is a drop, beyond bpftrace's own lost-event report", () => {
    // The excerpt keeps 55 of the 20003 opens the kernel counted, and one lost_events report of 105.
    const { loss } = decodeAll(recordedLines("bpftrace-flood-excerpt.out"));
    expect([loss.hooks.openat, loss.ringbufDrops, loss.eventSizeMismatch]).toEqual([{ emitted: 55, dropped: 19948 }, 19948, 0]);
  });


  const printf = (data: string) => JSON.stringify({ type: "printf", data });
  const emitted = (counts: Record<string, number>) => JSON.stringify({ type: "map", data: { "@emitted": counts } });

  test("turns kernel-counted emissions that never arrived into per-hook drops and ring drops", () => {
    const { loss } = decodeAll([printf("O\t1\t1\t0\t0\t0\t3\t/a\n"), printf("N\t1\t5\t2\t2304\t16777343\n"), emitted({ "1": 4, "5": 3 })]);
    expect([loss.ringbufDrops, loss.hooks.openat, loss.hooks.connect]).toEqual([5, { emitted: 1, dropped: 3 }, { emitted: 1, dropped: 2 }]);
  });

  test("takes bpftrace's lost-event reports as ring drops when they are the larger count", () => {
    const { loss } = decodeAll([JSON.stringify({ type: "lost_events", data: { events: 7 } }), emitted({})]);
    expect(loss.ringbufDrops).toBe(7);
  });

  test("counts a missing final counter dump and unreadable lines as undecodable", () => {
    const { loss } = decodeAll([printf("O\t1\t1\tx\t0\t0\t3\t/a\n"), "{not json", printf("Z\tweird\n")]);
    expect(loss.eventSizeMismatch).toBe(4);
  });

  test("reads bpftrace's sign-extended byte escapes after an escaped backslash correctly", () => {
    // A path holding a literal backslash followed by "uffffffc3" is not a byte escape.
    const line = String.raw`{"type": "printf", "data": "O\t1\t1\t0\t0\t0\t3\t/a\\uffffffc3\uffffffc3\uffffffa9\n"}`;
    const decoded = decodeBpftraceLine(line);
    expect(decoded.kind === "record" ? decoded.record.value : undefined).toBe("/a\\uffffffc3é");
  });

  test("recognises the attach and drain markers and blank lines", () => {
    expect([printf("M\t42\n"), printf("M\t-42\n"), "", '{"type": "attached_probes", "data": {"probes": 16}}'].map(decodeBpftraceLine)).toEqual([
      { kind: "marker", target: 42 },
      { kind: "marker", target: -42 },
      { kind: "blank" },
      { kind: "attached", probes: 16 },
    ]);
  });
});
