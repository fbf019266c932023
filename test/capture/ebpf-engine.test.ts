import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readlinkSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { BpfError, loadedPrograms } from "../../src/bpf/index.ts";
import { NativeDecoder } from "../../src/capture/ebpf/decode.ts";
import { CaptureEngine, possibleCpus, RecordStore } from "../../src/capture/ebpf/engine.ts";
import { Counter, DEDUPE_TIERS, DEDUPE_WINDOW, HOOK_IDS } from "../../src/capture/ebpf/record-layout.ts";
import { ensureTracefs, readHostFacts } from "../../src/linux/index.ts";
import { ia32Executable, IA32_EXIT } from "../fixtures/capture/ia32-elf.ts";
import { host, skipReason, tempDir } from "../harness.ts";

describe("RecordStore", () => {
  test("gives back every record in order, across chunk boundaries and for records larger than a chunk", () => {
    const store = new RecordStore();
    const records = [
      new Uint8Array([1]),
      new Uint8Array(700_000).fill(2),
      new Uint8Array(700_000).fill(3),
      new Uint8Array(3 << 20).fill(4),
      new Uint8Array([5, 5]),
    ];
    for (const record of records) store.add(record);
    const back = [...store.records()].map((record) => [record.length, record[0], record[record.length - 1]]);
    expect({ count: store.count, back }).toEqual({ count: 5, back: records.map((record) => [record.length, record[0], record[record.length - 1]]) });
  });
});

describe("possibleCpus", () => {
  test("counts ranges and single CPUs of /sys/devices/system/cpu/possible", () => {
    expect(["0-1\n", "0\n", "0-3,8-11\n", "0,2,4-5\n"].map((text) => possibleCpus(text))).toEqual([2, 1, 8, 4]);
  });
});

/** Open fds of this process that are BPF maps, programs, links or perf events. */
function bpfFds(): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return /bpf|perf_event/.test(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

const cannot = skipReason(!host.hasCgroup2 || !host.canLoadBpf, "capture engine kernel tests need root and cgroup v2");

describe("CaptureEngine", () => {
  test.skipIf(cannot)("a start the kernel refuses throws the failed step and leaves no BPF fd, map or program behind", async () => {
    const tracefs = ensureTracefs(readHostFacts()) ?? "/sys/kernel/tracing";
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-engine-test-${process.pid}`);
    mkdirSync(cgroup);
    const before = bpfFds();
    let caught: unknown;
    try {
      await CaptureEngine.start({ tracefs, cgroupPath: cgroup, ringBytes: 12345, drainEveryMs: 10, namePrefix: `e${process.pid}` });
    } catch (error) {
      caught = error;
    } finally {
      rmdirSync(cgroup);
    }
    expect({
      step: caught instanceof BpfError ? caught.step : String(caught),
      fds: bpfFds() - before,
      programs: loadedPrograms().filter((program) => program.name.startsWith(`e${process.pid}_`)),
    }).toEqual({ step: `BPF_MAP_CREATE e${process.pid}_events`, fds: 0, programs: [] });
  });

  test.skipIf(cannot)("a started engine attaches every tracepoint this kernel has, and close releases every BPF and perf fd", async () => {
    const tracefs = ensureTracefs(readHostFacts()) ?? "/sys/kernel/tracing";
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-engine-test-${process.pid}`);
    mkdirSync(cgroup);
    const before = bpfFds();
    try {
      const engine = await CaptureEngine.start({ tracefs, cgroupPath: cgroup, ringBytes: 1 << 16, drainEveryMs: 10, namePrefix: `e${process.pid}` });
      const attached = engine.attached;
      const names = loadedPrograms().filter((program) => program.name.startsWith(`e${process.pid}_`)).length;
      await engine.stop(100);
      engine.close();
      engine.close();
      // three sched tracepoints, the raw sys_enter and sys_exit, and the two DNS packet hooks; six
      // more programs are attached nowhere: the four syscall handlers sys_enter tail-calls (the
      // open-like syscalls share one, execve and execveat another) and what the open handler does
      expect({ attached, names, fds: bpfFds() - before }).toEqual({ attached: 7, names: 13, fds: 0 });
    } finally {
      rmdirSync(cgroup);
    }
  });

  test.skipIf(cannot)("each path is sent once per flags on a CPU up to the dedupe window, at every tier boundary; longer paths every time", async () => {
    // lengths (with the NUL) on both sides of every tier's window; two paths of each length that
    // differ only in their last byte, so a key cut short of the path would lose one
    const prefix = "/nonexistent-assay-dedupe/";
    const lengths = DEDUPE_TIERS.flatMap((tier) => [tier.window - 1, tier.window, tier.window + 1, tier.window + 2]);
    const paths = lengths.flatMap((length) => ["a", "b"].map((last) => prefix + "x".repeat(length - 2 - prefix.length) + last));
    await withEngine(async (engine, cgroup) => {
      // cat opens each path (read-only) twice; sh's redirection opens each once more for writing.
      // On one CPU: each CPU keeps its own cache, so a process that moves sends a repeat once more.
      const script = 'cat "$@" "$@" 2>/dev/null; for p in "$@"; do true 2>/dev/null > "$p"; done; true';
      const seen = new Map<string, number>();
      for (const { value, flags } of await opensOnOneCpu(engine, cgroup, script, paths, prefix)) {
        const key = `${value.length + 1}${value.at(-1)}:${flags & 3}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      const expected = new Map(
        lengths.flatMap((length) =>
          ["a", "b"].flatMap(
            (last) =>
              [
                [`${length}${last}:0`, length <= DEDUPE_WINDOW ? 1 : 2],
                [`${length}${last}:1`, 1],
              ] as const,
          ),
        ),
      );
      expect(Object.fromEntries([...seen].sort())).toEqual(Object.fromEntries([...expected].sort()));
    });
  });

  test.skipIf(cannot)("keys that share a cache slot are never lost: a path pushed out is sent again, and a repeat is still a repeat", async () => {
    const prefix = "/nonexistent-assay-shared-slot/";
    const paths = Array.from({ length: 16 }, (_, index) => `${prefix}${index}`);
    const alone = `${prefix}alone`;
    // two slots per CPU for sixteen paths: most share one; on one CPU, so the count is exact
    await withEngine(async (engine, cgroup) => {
      // the lone path five times in a row in one process, with nothing opened between (the C locale loads no catalogs)
      const script = 'cat "$@" "$@" 2>/dev/null; cat "$ALONE" "$ALONE" "$ALONE" "$ALONE" "$ALONE" 2>/dev/null; true';
      const sent = new Map<string, number>();
      for (const { value } of await opensOnOneCpu(engine, cgroup, script, paths, prefix, { ALONE: alone, LC_ALL: "C" }))
        sent.set(value, (sent.get(value) ?? 0) + 1);
      const counts = paths.map((path) => sent.get(path) ?? 0);
      expect({
        everyPath: counts.every((count) => count === 1 || count === 2),
        sentAgain: counts.some((count) => count === 2),
        alone: sent.get(alone),
      }).toEqual({ everyPath: true, sentAgain: true, alone: 1 });
    }, 2);
  });

  test.skipIf(cannot)("a path the kernel cannot read at entry is read at exit, under its own hook, for every open-like syscall", async () => {
    using dir = tempDir("engine-unfaulted", {});
    const kinds = process.arch === "x64" ? (["openat", "openat2", "open", "creat"] as const) : (["openat", "openat2"] as const);
    const targets = kinds.map((kind) => [kind, join(dir.path, `target-${kind}`)] as const);
    await withEngine(async (engine, cgroup) => {
      const fixture = join(import.meta.dir, "../fixtures/capture/unfaulted-opens.ts");
      const child = Bun.spawn([process.execPath, fixture, cgroup, dir.path, ...targets.map(([kind, path]) => `${kind}=${path}`)], { stderr: "pipe" });
      expect({ exitCode: await child.exited, stderr: await new Response(child.stderr).text() }).toEqual({ exitCode: 0, stderr: "" });
      const { counters } = await engine.stop(1000);
      const decoder = new NativeDecoder();
      const rows = [...engine.store.records()].flatMap((bytes) => decoder.push(bytes));
      const tally = decoder.finish();
      const outcome = targets.map(([kind, path]) => {
        const found = rows.filter((row) => row.value === path);
        return {
          kind,
          rows: found.length,
          hasReturn: found.every((row) => row.returnValue !== undefined),
          counted: counters[Counter.emitted(HOOK_IDS[kind])]! >= 1,
        };
      });
      expect(outcome).toEqual(targets.map(([kind]) => ({ kind, rows: 1, hasReturn: true, counted: true })));
      // every record the kernel counted per hook arrived under that hook, and no path stayed unreadable
      expect({
        received: kinds.map((kind) => tally.received[kind]),
        unreadable: counters[Counter.PATH_UNREADABLE],
      }).toEqual({ received: kinds.map((kind) => counters[Counter.emitted(HOOK_IDS[kind])] ?? 0), unreadable: 0 });
    });
  });

  test.skipIf(cannot || skipReason(!ia32Runs(), "the 32-bit syscall test needs x86-64 with ia32 emulation"))(
    "a 32-bit task's syscalls, whose numbers name other syscalls, are counted and never read as 64-bit ones",
    async () => {
      using dir = tempDir("ia32", { a32: ia32Executable() });
      chmodSync(join(dir.path, "a32"), 0o755);
      await withEngine(async (engine, cgroup) => {
        const child = Bun.spawn(["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$1"', cgroup, join(dir.path, "a32")]);
        const exit = await child.exited;
        const { counters } = await engine.stop(1000);
        const decoder = new NativeDecoder();
        const opens = [...engine.store.records()].flatMap((bytes) => decoder.push(bytes)).filter((row) => row.eventType === 1 && row.pid === child.pid);
        // its openat2 (437 in both tables) reached the open handler, which skipped and counted it
        expect({ exit, compat: counters[Counter.COMPAT_SYSCALLS], opens }).toEqual({ exit: IA32_EXIT, compat: 1, opens: [] });
      });
    },
  );

  test.skipIf(cannot)("execve and execveat, sharing one program, each record the argv they were given", async () => {
    await withEngine(async (engine, cgroup) => {
      const viaExecveat = Bun.spawn([process.execPath, join(import.meta.dir, "../fixtures/capture/execveat.ts"), cgroup, "assay-at", "one", "two"], {
        stderr: "pipe",
      });
      const viaExecve = Bun.spawn(["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec /bin/true assay-ve three', cgroup], { stderr: "pipe" });
      const exits = [await viaExecveat.exited, await viaExecve.exited];
      const stderr = (await new Response(viaExecveat.stderr).text()) + (await new Response(viaExecve.stderr).text());
      await engine.stop(1000);
      const decoder = new NativeDecoder();
      const argvs = [...engine.store.records()]
        .flatMap((bytes) => decoder.push(bytes))
        .filter((row) => row.eventType === 4 && row.value === "/bin/true")
        .map((row) => row.argv);
      expect({ exits, stderr, argvs: argvs.sort() }).toEqual({
        exits: [0, 0],
        stderr: "",
        // execveat's argv[0] is what the caller passed (the fixture passes no path there)
        argvs: [
          ["/bin/true", "assay-ve", "three"],
          ["assay-at", "one", "two"],
        ],
      });
    });
  });
});

// Runs `script` (its arguments `args`) under /bin/sh on CPU 0 in the session, stops the engine,
// and returns the OPEN records whose path starts with `prefix`. Each CPU keeps its own dedupe
// cache, so on one CPU the counts are exact.
async function opensOnOneCpu(
  engine: CaptureEngine,
  cgroup: string,
  script: string,
  args: readonly string[],
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ value: string; flags: number }[]> {
  const joined = `echo $$ > "$0/cgroup.procs" && ${script}`;
  const child = Bun.spawn(["taskset", "-c", "0", "/bin/sh", "-c", joined, cgroup, ...args], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "ignore",
  });
  await child.exited;
  await engine.stop(1000);
  const decoder = new NativeDecoder();
  const opens: { value: string; flags: number }[] = [];
  for (const bytes of engine.store.records()) {
    for (const record of decoder.push(bytes)) {
      if (record.eventType === 1 && record.value?.startsWith(prefix)) opens.push({ value: record.value, flags: record.flags ?? 0 });
    }
  }
  return opens;
}

// Whether a 32-bit x86 executable runs here (x86-64 with ia32 emulation).
function ia32Runs(): boolean {
  if (process.arch !== "x64" || process.platform !== "linux") return false;
  using dir = tempDir("ia32", { a32: ia32Executable() });
  chmodSync(join(dir.path, "a32"), 0o755);
  return Bun.spawnSync([join(dir.path, "a32")]).exitCode === IA32_EXIT;
}

// Starts an engine on a fresh cgroup for `use`, then closes both whatever happens.
async function withEngine(use: (engine: CaptureEngine, cgroup: string) => Promise<void>, dedupeSlots?: number): Promise<void> {
  const tracefs = ensureTracefs(readHostFacts()) ?? "/sys/kernel/tracing";
  const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-engine-test-${process.pid}`);
  mkdirSync(cgroup);
  try {
    const engine = await CaptureEngine.start({
      tracefs,
      cgroupPath: cgroup,
      ringBytes: 1 << 20,
      drainEveryMs: 10,
      namePrefix: `e${process.pid}`,
      ...(dedupeSlots === undefined ? {} : { dedupeSlots }),
    });
    try {
      await use(engine, cgroup);
    } finally {
      engine.close();
    }
  } finally {
    rmdirSync(cgroup);
  }
}
