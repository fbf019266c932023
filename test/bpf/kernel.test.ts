// The toolkit against the running kernel (root): maps, a verifier rejection with its log, a
// tracepoint program writing to a ring buffer read through mmap.
import { describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, openSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  add,
  atomicAdd,
  type BpfError,
  BpfMap,
  BpfProgram,
  call,
  exit,
  Helper,
  jump,
  label,
  load,
  loadedPrograms,
  loadMap,
  MapType,
  mov,
  programInfo,
  ProgramType,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R6,
  readTracepointFormat,
  RawTracepointLink,
  rawTracepointTarget,
  rawTracepointTargets,
  RingBufferReader,
  rsh,
  store,
  syscallRegisters,
  TracepointLink,
  u32Bytes,
} from "../../src/bpf/index.ts";
import { ensureTracefs, readHostFacts } from "../../src/linux/index.ts";
import { host, skipReason } from "../harness.ts";

const cannot = skipReason(!host.hasCgroup2 || !host.canLoadBpf, "bpf toolkit kernel tests need root and cgroup v2");

describe("bpf toolkit on this kernel", () => {
  test.skipIf(cannot)("a hash map stores, reads and deletes entries; a missing key reads as undefined", () => {
    const map = BpfMap.create({ name: "t_hash", type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    try {
      map.update(u32Bytes(7), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
      const read = map.lookup(u32Bytes(7));
      const deleted = [map.delete(u32Bytes(7)), map.delete(u32Bytes(7))];
      expect({ read: [...(read ?? [])], missing: map.lookup(u32Bytes(7)), deleted }).toEqual({
        read: [1, 2, 3, 4, 5, 6, 7, 8],
        missing: undefined,
        deleted: [true, false],
      });
    } finally {
      map.close();
    }
  });

  test.skipIf(cannot)("a program the verifier refuses fails with BPF_PROGRAM_REJECTED, the errno and the end of the verifier log", () => {
    let caught: unknown;
    try {
      // reads R2 before anything wrote it
      BpfProgram.load({ name: "t_bad", type: ProgramType.TRACEPOINT, instructions: [mov(R0, R2), exit()] }, new Map());
    } catch (error) {
      caught = error;
    }
    const error = caught as BpfError;
    expect({
      code: error.code,
      step: error.step,
      errno: error.errno,
      log: error.verifierLog?.includes("R2 !read_ok"),
      message: error.message.startsWith("the kernel refused program t_bad (EACCES (13)); verifier log ends:"),
    }).toEqual({
      code: "BPF_PROGRAM_REJECTED",
      step: "BPF_PROG_LOAD t_bad",
      errno: 13,
      log: true,
      message: true,
    });
  });

  test.skipIf(cannot)("a load a handled signal interrupts is tried again: the program loads and the handler runs", async () => {
    // The verifier walks this loop for tens of milliseconds; a signal arriving meanwhile stops it
    // with EAGAIN, which used to read as a rejection (with a misleading ENOSPC from the log pass).
    const slow = [mov(R0, 0), label("again"), add(R0, 1), jump("jlt", R0, 60_000, "again"), exit()];
    let handled = 0;
    const onSignal = () => {
      handled += 1;
    };
    process.on("SIGWINCH", onSignal);
    try {
      const loaded: string[] = [];
      for (let round = 0; round < 3; round += 1) {
        const sender = Bun.spawn(["/bin/sh", "-c", `sleep 0.01; kill -WINCH ${process.pid}`]);
        const program = BpfProgram.load({ name: "t_interrupted", type: ProgramType.TRACEPOINT, instructions: slow }, new Map());
        loaded.push(program.name);
        program.close();
        await sender.exited;
        await Bun.sleep(1);
      }
      expect({ loaded, handled }).toEqual({ loaded: ["t_interrupted", "t_interrupted", "t_interrupted"], handled: 3 });
    } finally {
      process.off("SIGWINCH", onSignal);
    }
  });

  test.skipIf(cannot)("a tracepoint program's records reach the mmapped ring buffer in order, and closing unloads the program", async () => {
    const tracefs = ensureTracefs(readHostFacts());
    if (tracefs === undefined) throw new Error("tracefs could not be mounted");
    // Everything made here is released in the finally block, whichever step fails.
    const made: Array<{ close(): void }> = [];
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-bpf-test-${process.pid}`);
    mkdirSync(cgroup);
    try {
      const events = BpfMap.create({ name: "t_events", type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 1 << 16 });
      made.push(events);
      const session = BpfMap.create({ name: "t_session", type: MapType.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
      made.push(session);
      const fd = openSync(cgroup, "r");
      session.update(u32Bytes(0), u32Bytes(fd));
      closeSync(fd);
      // Every openat from the cgroup writes its flags argument (8 bytes) to the ring buffer.
      const format = readTracepointFormat(tracefs, "syscalls", "sys_enter_openat");
      const program = BpfProgram.load(
        {
          name: `t${process.pid}_rb`,
          type: ProgramType.TRACEPOINT,
          instructions: [
            mov(R6, R1),
            mov(R2, 0),
            loadMap(R1, "session"),
            call(Helper.current_task_under_cgroup),
            jump("jne", R0, 1, "out"),
            load("u64", R1, R6, format.fields.get("flags")?.offset ?? 0),
            store("u64", R10, -8, R1),
            loadMap(R1, "events"),
            mov(R2, R10),
            add(R2, -8),
            mov(R3, 8),
            mov(R4, 0),
            call(Helper.ringbuf_output),
            label("out"),
            mov(R0, 0),
            exit(),
          ],
        },
        new Map([
          ["events", events],
          ["session", session],
        ]),
      );
      made.push(program);
      const link = TracepointLink.attach(program, format);
      made.push(link);
      const reader = RingBufferReader.open(events);
      made.push(reader);
      const code = "import os, sys\nfor f in (0o101, 0, 1, 0o1101): os.close(os.open(sys.argv[1], f | 0o404000, 0o600))";
      const child = Bun.spawn([
        "/bin/sh",
        "-c",
        'echo $$ > "$0" && exec "$@"',
        join(cgroup, "cgroup.procs"),
        "python3",
        "-c",
        code,
        `/tmp/assay-bpf-test-${process.pid}`,
      ]);
      await child.exited;
      const flags: bigint[] = [];
      reader.drain((record) => flags.push(new DataView(record.buffer, record.byteOffset, 8).getBigUint64(0, true)));
      const named = loadedPrograms().some((info) => info.name === `t${process.pid}_rb`);
      // O_NOFOLLOW|O_NONBLOCK mark the test's opens; python adds O_CLOEXEC
      const wanted = [0o101n, 0n, 1n, 0o1101n].map((f) => f | 0o404000n | 0o2000000n);
      expect({
        ours: wanted.every((f) => flags.includes(f)),
        ordered: flags.filter((f) => wanted.includes(f)),
        named,
        backlog: reader.backlog(),
        misses: programInfo(program.fd)?.recursionMisses,
      }).toEqual({
        ours: true,
        ordered: wanted,
        named: true,
        backlog: 0,
        misses: 0,
      });
    } finally {
      for (const object of made.reverse()) object.close();
      rmdirSync(cgroup);
      rmSync(`/tmp/assay-bpf-test-${process.pid}`, { force: true });
    }
  });

  test.skipIf(cannot)("a BTF-typed raw tracepoint program reads pt_regs and runs for every syscall until its link closes", () => {
    // counts this process's own getppid calls (x64 110, arm64 173) from the raw sys_enter, and
    // keeps the first argument register it read there (getppid takes none: whatever it held)
    const getppid = process.arch === "arm64" ? 173 : 110;
    const firstArgument = syscallRegisters()?.args[0] ?? 0;
    using counts = BpfMap.create({ name: `t${process.pid}_n`, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    using program = BpfProgram.load(
      {
        name: `t${process.pid}_raw`,
        ...rawTracepointTarget("sys_enter"),
        instructions: [
          mov(R6, R1),
          load("u64", R1, R6, 8),
          jump("jne", R1, getppid, "out"),
          call(Helper.get_current_pid_tgid),
          rsh(R0, 32),
          jump("jne", R0, process.pid, "out"),
          // a plain load through the typed pointer: the verifier checks it against struct pt_regs
          load("u64", R1, R6, 0),
          load("u64", R1, R1, firstArgument),
          store("u32", R10, -4, 0),
          loadMap(R1, "counts"),
          mov(R2, R10),
          add(R2, -4),
          call(Helper.map_lookup_elem),
          jump("jeq", R0, 0, "out"),
          mov(R1, 1),
          atomicAdd("u64", R0, 0, R1),
          label("out"),
          mov(R0, 0),
          exit(),
        ],
      },
      new Map([["counts", counts]]),
    );
    const count = () => new DataView((counts.lookup(u32Bytes(0), 8) ?? new Uint8Array(8)).buffer).getBigUint64(0, true);
    const link = RawTracepointLink.attach(program, "sys_enter");
    for (let i = 0; i < 3; i += 1) process.ppid;
    const whileAttached = count();
    link.close();
    for (let i = 0; i < 3; i += 1) process.ppid;
    expect({ whileAttached: whileAttached >= 3n, afterClose: count() === whileAttached }).toEqual({ whileAttached: true, afterClose: true });
  });

  test.skipIf(cannot)("the kernel's BTF gives a raw tracepoint's type id, and a tracepoint it lacks is named in the error", () => {
    let missing: unknown;
    try {
      rawTracepointTarget("assay_no_such_tracepoint");
    } catch (error) {
      missing = error;
    }
    const error = missing as BpfError;
    // several in one lookup, in the order asked
    const [sysEnter, sysExit] = rawTracepointTargets(["sys_enter", "sys_exit"]).map((target) => target.attachBtfId);
    expect({
      ids: (sysEnter ?? 0) > 0 && (sysExit ?? 0) > 0,
      distinct: sysEnter !== sysExit,
      same: sysEnter === rawTracepointTarget("sys_enter").attachBtfId,
      code: error.code,
      step: error.step,
      message: error.message,
    }).toEqual({
      ids: true,
      distinct: true,
      same: true,
      code: "BPF_TRACEPOINT_MISSING",
      step: "BTF lookup btf_trace_assay_no_such_tracepoint",
      message: "the kernel's BTF has no btf_trace_assay_no_such_tracepoint",
    });
  });
});
