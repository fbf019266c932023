// Helpers for decoder tests: recorded capture output, and records with run-local pids blanked.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CaptureLoss, KernelRecord } from "../../src/capture/index.ts";
import { repoRoot } from "../harness.ts";

/** The lines of a recorded file under test/fixtures/capture (without their newlines). */
export function recordedLines(name: string): string[] {
  const text = readFileSync(join(repoRoot, "test/fixtures/capture", name), "utf8");
  return text.split("\n").slice(0, text.endsWith("\n") ? -1 : undefined);
}

/** A record without its pid, which differs between recordings. */
export function withoutPid(record: KernelRecord): Omit<KernelRecord, "pid"> {
  const { pid: _pid, ...rest } = record;
  return rest;
}

/** What the syscalls fixture workload (syscalls-workload.c) does, as kernel records, after its exec and loader opens. */
export const syscallsWorkloadRecords: ReadonlyArray<Omit<KernelRecord, "pid">> = [
  { eventType: 1, value: "/etc/hostname", flags: 0, mode: 0, resolve: 4, returnValue: 3 },
  { eventType: 1, value: "/etc/passwd", flags: 0, mode: 0, resolve: 0, returnValue: 4 },
  { eventType: 1, value: "/tmp/cx/created.txt", flags: 0o1101, mode: 0o600, resolve: 0, returnValue: 5 },
  { eventType: 6, value: "127.0.0.1:9" },
  { eventType: 7, value: "127.0.0.1:9" },
  { eventType: 2, value: "[::1]:1" },
];

/** The whole syscalls fixture run as either backend decodes it: its exec, the loader's opens, then the workload. */
export const syscallsRunRecords: ReadonlyArray<Omit<KernelRecord, "pid">> = [
  { eventType: 4, value: "/tmp/cx/t2" },
  { eventType: 1, value: "/etc/ld.so.cache", flags: 0o2000000, mode: 0, resolve: 0, returnValue: 3 },
  { eventType: 1, value: "/lib/x86_64-linux-gnu/libc.so.6", flags: 0o2000000, mode: 0, resolve: 0, returnValue: 3 },
  ...syscallsWorkloadRecords,
];

const one = { emitted: 1, dropped: 0 };

/** The loss either backend reports for the syscalls fixture run: every hook once (openat twice), one peerless and one AF_UNIX send, nothing lost. */
export const syscallsRunLoss: CaptureLoss = {
  ringbufDrops: 0,
  eventSizeMismatch: 0,
  hooks: { openat: { emitted: 2, dropped: 0 }, openat2: one, open: one, creat: one, connect: one, sendto: one, sendmsg: one, exec: one },
  sendNoRecoverablePeer: { sendto: 1, sendmsg: 0 },
  sendNonIpFamily: { sendto: 1, sendmsg: 0 },
  truncatedPaths: 0,
};
