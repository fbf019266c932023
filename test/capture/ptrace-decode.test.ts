import { describe, expect, test } from "bun:test";
import { EVENT_UNIX_CONNECT, type KernelRecord } from "../../src/capture/index.ts";
import { parseTraceeEnd, splitArgs, StraceDecoder } from "../../src/capture/ptrace/decode.ts";
import { recordedLines, syscallsRunLoss, syscallsRunRecords, withoutPid } from "./_records.ts";

function decodeAll(lines: readonly string[]) {
  const decoder = new StraceDecoder();
  const records: KernelRecord[] = [];
  for (const line of lines) {
    const record = decoder.push(line);
    if (record) records.push(record);
  }
  return { records, loss: decoder.loss() };
}

const hex = (text: string) => `"${[...new TextEncoder().encode(text)].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("")}"`;

describe("StraceDecoder on recorded strace 6.1 output", () => {
  test("decodes the syscalls workload into the same records as the eBPF backend", () => {
    const { records } = decodeAll(recordedLines("strace-syscalls.out"));
    expect(records.map(withoutPid)).toEqual([...syscallsRunRecords]);
  });

  test("counts every hook, the send without a peer and the AF_UNIX send, and loses nothing", () => {
    const { loss } = decodeAll(recordedLines("strace-syscalls.out"));
    expect(loss).toEqual(syscallsRunLoss);
  });

  test("joins unfinished calls with their resumption across interleaved processes, odd bytes and long paths intact", () => {
    const { records, loss } = decodeAll(recordedLines("strace-mixed.out"));
    const work = "/tmp/assay-fixture-work/";
    const created = records
      .filter((r) => r.eventType === 1 && String(r.value).startsWith(work) && r.flags === 0o1101)
      .map((r) => String(r.value).slice(work.length));
    const execs = records.filter((r) => r.eventType === 4).map((r) => r.value);
    expect({
      created: created.map((name) => (name.length > 40 ? `${name.slice(0, 3)}…${name.length}` : name)),
      sh: ["/bin/sh", "/bin/true", "/usr/bin/sh"].map((exec) => execs.includes(exec)),
      network: records.filter((r) => r.eventType !== 1 && r.eventType !== 4).map((r) => [r.eventType, r.value]),
      undecodable: loss.eventSizeMismatch,
    }).toEqual({
      created: ["plain.txt", "café", 'tab\tquote"back\\slash', "new\nline", "bad-\uFFFD-utf8", "ddd…245"],
      sh: [true, true, true],
      network: [
        [6, "127.0.0.1:9"],
        [6, "[::1]:9"],
        [2, "127.0.0.1:1"],
      ],
      undecodable: 0,
    });
  });
});

describe("StraceDecoder on hand-made lines", () => {
  test("joins an unfinished open with its resumption after another process's line", () => {
    const { records } = decodeAll([
      `10 openat(-100, ${hex("/w/a")}, 0x241, 0666 <unfinished ...>`,
      `11 openat(-100, ${hex("/w/b")}, 0) = 4`,
      `10 <... openat resumed>) = -1 EEXIST (File exists)`,
    ]);
    expect(records).toEqual([
      { pid: 11, eventType: 1, value: "/w/b", flags: 0, mode: 0, resolve: 0, returnValue: 4 },
      { pid: 10, eventType: 1, value: "/w/a", flags: 0o1101, mode: 0o666, resolve: 0, returnValue: -17 },
    ]);
  });

  test("reports a thread's calls under its process id (clone with CLONE_THREAD and clone3)", () => {
    const { records } = decodeAll([
      "20 clone(child_stack=0x7f, flags=0x3d0f00, parent_tid=0x7f) = 21",
      "20 clone3({flags=0x3d0f00, child_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7ff, tls=0x7f}, 88) = 22",
      "20 clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f) = 23",
      `21 openat(-100, ${hex("/w/t1")}, 0) = 3`,
      `22 openat(-100, ${hex("/w/t2")}, 0) = 3`,
      `23 openat(-100, ${hex("/w/child")}, 0) = 3`,
    ]);
    expect(records.map((r) => [r.pid, r.value])).toEqual([
      [20, "/w/t1"],
      [20, "/w/t2"],
      [23, "/w/child"],
    ]);
  });

  test("keeps only successful execs, skips calls that never returned, ignores exit and signal lines", () => {
    const { records, loss } = decodeAll([
      `30 execve(${hex("/usr/local/bin/x")}, [${hex("x")}], 0x7ff /* 3 vars */) = -1 ENOENT (No such file or directory)`,
      `30 execve(${hex("/usr/bin/x")}, [${hex("x")}], 0x7ff /* 3 vars */) = 0`,
      `30 openat(-100, ${hex("/w/killed")}, 0) = ?`,
      "30 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",
      "30 +++ exited with 0 +++",
    ]);
    expect({ records, undecodable: loss.eventSizeMismatch }).toEqual({ records: [{ pid: 30, eventType: 4, value: "/usr/bin/x" }], undecodable: 0 });
  });

  test("counts sends without a peer and non-IP peers, passes successful unix connects on uncounted (no row), and marks a cut string", () => {
    const { records, loss } = decodeAll([
      `40 sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=${hex("x")}, iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1`,
      `40 connect(4, {sa_family=0x1, sun_path=${hex("/run/x.sock")}}, 110) = 0`,
      `40 connect(5, {sa_family=0x1, sun_path=${hex("/run/absent.sock")}}, 110) = -1 ENOENT (No such file or directory)`,
      `40 sendmsg(4, {msg_name={sa_family=0x1, sun_path=${hex("/dev/log")}}, msg_namelen=110, msg_iov=[], msg_iovlen=0, msg_controllen=0, msg_flags=0}, 0) = 1`,
      `40 openat(-100, ${hex("/w/long")}..., 0) = 3`,
    ]);
    expect({
      values: records.map((r) => [r.value, r.truncated]),
      unix: records[0]?.eventType === EVENT_UNIX_CONNECT,
      connects: loss.hooks.connect.emitted,
      noPeer: loss.sendNoRecoverablePeer,
      nonIp: loss.sendNonIpFamily,
      truncated: loss.truncatedPaths,
    }).toEqual({
      values: [
        ["/run/x.sock", undefined],
        ["/w/long", true],
      ],
      noPeer: { sendto: 0, sendmsg: 1 },
      nonIp: { sendto: 0, sendmsg: 1 },
      truncated: 1,
      unix: true,
      connects: 0,
    });
  });

  test("reads the workload's own end from strace's exit lines", () => {
    expect([
      parseTraceeEnd("12 +++ exited with 3 +++"),
      parseTraceeEnd("13 +++ killed by SIGKILL (core dumped) +++"),
      parseTraceeEnd("12 exit_group(0) = ?"),
    ]).toEqual([{ pid: 12, exitCode: 3, signalName: null }, { pid: 13, exitCode: null, signalName: "SIGKILL" }, undefined]);
  });

  test("counts a resumption without its start and a line it cannot read as undecodable", () => {
    const { loss } = decodeAll(["50 <... openat resumed>) = 3", "garbage", "51 openat(oops"]);
    expect(loss.eventSizeMismatch).toBe(3);
  });
});

describe("splitArgs", () => {
  test("splits at top-level commas only", () => {
    expect(splitArgs(`3, {a=1, b=[1, 2]}, "\\x2c", f(1, 2)`)).toEqual(["3", "{a=1, b=[1, 2]}", `"\\x2c"`, "f(1, 2)"]);
  });
});
