// The native capture engine: creates the maps, loads and attaches every program, and drains
// the ring buffer while the workload runs. Everything it opens is closed by `close`, on every path.
import { closeSync, openSync, readFileSync } from "node:fs";
import {
  BpfError,
  BpfMap,
  BpfProgram,
  CgroupAttachType,
  CgroupLink,
  closeInBackground,
  findSyscallNumber,
  MapBtf,
  MapType,
  programInfo,
  ProgramType,
  RawTracepointLink,
  readTracepointFormat,
  RingBufferReader,
  rawTracepointTargets,
  TracepointLink,
  u32Bytes,
  type ProgramSpec,
  type RawTracepointTarget,
} from "../../bpf/index.ts";
import { MapName, ScratchSlot } from "./_program-blocks.ts";
import { dnsPacketProgram } from "./dns-program.ts";
import { openPathProgram } from "./open-programs.ts";
import { ATTACHMENTS, type ProgramSizes, SYSCALL_HANDLERS } from "./attachments.ts";
import { Counter, DEDUPE_KEY_HEADER, DEDUPE_TIERS, dedupeSlotsPerCpu, LINEAGE_ENTRIES, PENDING, SCRATCH_SIZE } from "./record-layout.ts";

/** Raw records copied out of the ring buffer, in arrival order. */
export class RecordStore {
  readonly #chunks: Uint8Array[] = [];
  #current = new Uint8Array(CHUNK_BYTES);
  #used = 0;
  #count = 0;

  /** Copies one record (length-prefixed). */
  add(record: Uint8Array): void {
    const needed = record.length + 4;
    if (this.#used + needed > this.#current.length) {
      this.#chunks.push(this.#current.subarray(0, this.#used));
      this.#current = new Uint8Array(Math.max(CHUNK_BYTES, needed));
      this.#used = 0;
    }
    new DataView(this.#current.buffer, this.#current.byteOffset).setUint32(this.#used, record.length, true);
    this.#current.set(record, this.#used + 4);
    this.#used += needed;
    this.#count += 1;
  }

  /** Records stored. */
  get count(): number {
    return this.#count;
  }

  /** Every record, oldest first (views into the store). */
  *records(): Generator<Uint8Array> {
    for (const chunk of [...this.#chunks, this.#current.subarray(0, this.#used)]) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = 0; at + 4 <= chunk.length; ) {
        const length = view.getUint32(at, true);
        yield chunk.subarray(at + 4, at + 4 + length);
        at += 4 + length;
      }
    }
  }
}

/** What the kernel side counted, read at stop. */
export interface EngineCounters {
  /** Per-CPU sums, indexed by `Counter`. */
  readonly counters: readonly number[];
  /** Program runs the kernel skipped (another BPF program was running on that CPU). */
  readonly recursionMisses: number;
}

/** Sizes and names of one engine. */
export interface EngineOptions {
  readonly tracefs: string;
  readonly cgroupPath: string;
  readonly ringBytes: number;
  /** How often the ring buffer is drained while the workload runs. */
  readonly drainEveryMs: number;
  /** Prefix of the kernel object names, e.g. `a1234` (the runner's pid: tests find leftovers by it). */
  readonly namePrefix: string;
  /** Slots per CPU in each dedupe cache, a power of two ≥ 2 (default: `dedupeSlotsPerCpu`; tests make keys share slots). */
  readonly dedupeSlots?: number;
}

/** A loaded, attached capture; `stop` detaches and drains, `close` releases everything. */
export class CaptureEngine {
  readonly store = new RecordStore();
  readonly #maps = new Map<string, BpfMap>();
  // Possible CPUs: per-CPU slots of the dedupe caches and of every counter.
  readonly #cpus = possibleCpus();
  readonly #programs: BpfProgram[] = [];
  readonly #links: Array<TracepointLink | RawTracepointLink> = [];
  readonly #cgroupLinks: CgroupLink[] = [];
  #reader: RingBufferReader | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor() {}

  /**
   * Builds, loads and attaches everything; on any failure releases what was made and throws a
   * BpfError. The event loop turns between program loads (the run warms the cgroup lock meanwhile).
   */
  static async start(options: EngineOptions): Promise<CaptureEngine> {
    const engine = new CaptureEngine();
    try {
      const sizes: ProgramSizes = { dedupeSlots: options.dedupeSlots ?? dedupeSlotsPerCpu(engine.#cpus) };
      engine.#createMaps(options, sizes);
      const targets = rawTargets();
      await engine.#loadTailCalled(options, sizes, targets);
      await engine.#attachAll(options, targets);
      engine.#attachPacketPrograms(options);
      engine.#reader = RingBufferReader.open(engine.#map(MapName.EVENTS));
      engine.#timer = setInterval(() => engine.drain(), options.drainEveryMs);
      engine.#timer.unref?.();
      return engine;
    } catch (error) {
      engine.close();
      throw error;
    }
  }

  /** Tracepoints and cgroup hooks attached. */
  get attached(): number {
    return this.#links.length + this.#cgroupLinks.length;
  }

  /** Copies every committed record out of the ring buffer. */
  drain(): void {
    this.#reader?.drain((record) => this.store.add(record));
  }

  /**
   * Reads the kernel's counters, then drains to the producer position. Called once the session is
   * empty: a record committed before a counter was read is in the buffer, so nothing counted is
   * missed. The programs stay attached until `close`.
   */
  async stop(drainMs: number): Promise<EngineCounters> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const counters = this.#readCounters();
    const recursionMisses = this.#programs.reduce((sum, program) => sum + (programInfo(program.fd)?.recursionMisses ?? 0), 0);
    const deadline = performance.now() + drainMs;
    for (;;) {
      this.drain();
      if ((this.#reader?.backlog() ?? 0) === 0 || performance.now() > deadline) break;
      await Bun.sleep(1);
    }
    return { counters, recursionMisses };
  }

  /** Detaches and releases everything (the kernel's side of it in the background); safe to call more than once. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#reader?.close();
    this.#reader = undefined;
    // cgroup attachments hold their programs until detached; detaching is cheap
    for (const link of this.#cgroupLinks.splice(0)) link.close();
    const fds = [...this.#links.splice(0), ...this.#programs.splice(0), ...this.#maps.values()].map((object) => object.takeFd());
    this.#maps.clear();
    closeInBackground(fds);
  }

  #createMaps(options: EngineOptions, sizes: ProgramSizes): void {
    const NO_PREALLOC = 1;
    // The task-storage map names its key and value types in BTF; once created it holds its own reference.
    using btf = MapBtf.load(PENDING.size);
    const specs = [
      { name: MapName.SESSION, type: MapType.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 },
      { name: MapName.LINEAGE, type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: LINEAGE_ENTRIES, flags: NO_PREALLOC },
      { name: MapName.SCRATCH, type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: SCRATCH_SIZE, maxEntries: ScratchSlot.COUNT },
      { name: MapName.COUNTERS, type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: Counter.COUNT },
      // per CPU its own part of each cache, in one array (a per-CPU map allocates every slot on its own)
      ...DEDUPE_TIERS.map((tier) => ({
        name: tier.map,
        type: MapType.ARRAY,
        keySize: 4,
        valueSize: DEDUPE_KEY_HEADER + tier.window,
        maxEntries: this.#cpus * sizes.dedupeSlots,
      })),
      // one pending entry per thread, freed with the thread: no map to fill, no delete on the exit path
      { name: MapName.PENDING, type: MapType.TASK_STORAGE, keySize: 4, valueSize: PENDING.size, maxEntries: 0, flags: NO_PREALLOC, btf },
      { name: MapName.PENDING_COUNT, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 },
      { name: MapName.RUNNER, type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 },
      { name: MapName.EVENTS, type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: options.ringBytes },
      { name: MapName.OPEN_PATH, type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 },
      { name: MapName.SYSCALL_HANDLERS, type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: handledSyscallSlots() },
    ];
    for (const spec of specs) this.#maps.set(spec.name, BpfMap.create({ ...spec, name: `${options.namePrefix}_${spec.name}` }));
    this.#map(MapName.RUNNER).update(u32Bytes(0), u32Bytes(process.pid));
    // The cgroup array holds its own reference to the session; our fd is only needed to fill it.
    const cgroupFd = openSync(options.cgroupPath, "r");
    try {
      this.#map(MapName.SESSION).update(u32Bytes(0), u32Bytes(cgroupFd));
    } finally {
      closeSync(cgroupFd);
    }
  }

  // Every program is loaded before the first is attached: attaching may wait for the kernel to
  // finish detaching a run that just ended, and the loads take that time instead.
  async #attachAll(options: EngineOptions, targets: RawTargets): Promise<void> {
    const attaches: Array<() => TracepointLink | RawTracepointLink> = [];
    for (const attachment of ATTACHMENTS) {
      await Bun.sleep(0);
      const name = `${options.namePrefix}_${attachment.short}`;
      if (attachment.kind === "raw") {
        const program = this.#load({ name, ...targets.of(attachment.tracepoint), instructions: attachment.build() });
        attaches.push(() => RawTracepointLink.attach(program, attachment.tracepoint));
      } else {
        const format = readTracepointFormat(options.tracefs, attachment.category, attachment.tracepoint);
        const program = this.#load({ name, type: ProgramType.TRACEPOINT, instructions: attachment.build(format) });
        attaches.push(() => TracepointLink.attach(program, format));
      }
    }
    for (const attach of attaches) this.#links.push(attach());
  }

  // What the raw `sys_enter` program tail-calls, each in its slots before anything is attached:
  // each syscall's handler at its number, and the open path program. A tail call keeps the
  // caller's context, so they are loaded as `sys_enter` programs too.
  async #loadTailCalled(options: EngineOptions, sizes: ProgramSizes, targets: RawTargets): Promise<void> {
    const sysEnter = targets.of("sys_enter");
    const openPath = this.#load({ name: `${options.namePrefix}_opath`, ...sysEnter, instructions: openPathProgram(sizes.dedupeSlots) });
    this.#map(MapName.OPEN_PATH).update(u32Bytes(0), u32Bytes(openPath.fd));
    for (const handler of SYSCALL_HANDLERS) {
      await Bun.sleep(0);
      const program = this.#load({
        name: `${options.namePrefix}_${handler.short}`,
        ...sysEnter,
        instructions: handler.build(),
        subprograms: handler.subprograms ?? [],
      });
      for (const syscall of handler.syscalls) {
        const number = findSyscallNumber(syscall);
        if (number !== undefined) this.#map(MapName.SYSCALL_HANDLERS).update(u32Bytes(number), u32Bytes(program.fd));
      }
    }
  }

  #load(spec: ProgramSpec): BpfProgram {
    const program = BpfProgram.load(spec, this.#maps);
    this.#programs.push(program);
    return program;
  }

  // DNS on the session's sockets: the same program twice, for packets sent and received.
  #attachPacketPrograms(options: EngineOptions): void {
    for (const [direction, attachType] of [
      ["sent", CgroupAttachType.INET_EGRESS],
      ["received", CgroupAttachType.INET_INGRESS],
    ] as const) {
      const program = BpfProgram.load(
        {
          name: `${options.namePrefix}_dns_${direction === "sent" ? "out" : "in"}`,
          type: ProgramType.CGROUP_SKB,
          instructions: dnsPacketProgram(direction),
          expectedAttachType: attachType,
        },
        this.#maps,
      );
      this.#programs.push(program);
      this.#cgroupLinks.push(CgroupLink.attach(program, options.cgroupPath, attachType));
    }
  }

  #readCounters(): number[] {
    const map = this.#map(MapName.COUNTERS);
    const cpus = this.#cpus;
    const totals: number[] = [];
    for (let index = 0; index < Counter.COUNT; index += 1) {
      const values = map.lookup(u32Bytes(index), 8 * cpus);
      let sum = 0;
      if (values !== undefined) {
        const view = new DataView(values.buffer);
        for (let cpu = 0; cpu < cpus; cpu += 1) sum += Number(view.getBigUint64(cpu * 8, true));
      }
      totals.push(sum);
    }
    return totals;
  }

  #map(name: string): BpfMap {
    const map = this.#maps.get(name);
    if (map === undefined) throw new BpfError("BPF_UNAVAILABLE", `map ${name}`, 0, `map ${name} was not created`);
    return map;
  }
}

/** The number of possible CPUs (per-CPU map values hold one slot each). */
export function possibleCpus(text: string = readPossible()): number {
  let count = 0;
  for (const range of text.trim().split(",")) {
    const [low, high] = range.split("-").map(Number);
    if (low === undefined || Number.isNaN(low)) continue;
    count += high === undefined || Number.isNaN(high) ? 1 : high - low + 1;
  }
  return Math.max(count, 1);
}

// --- internal ---

const CHUNK_BYTES = 1 << 20;

// The load target of every raw tracepoint the programs are for, their BTF types looked up at once.
interface RawTargets {
  of(tracepoint: string): RawTracepointTarget;
}

function rawTargets(): RawTargets {
  const tracepoints = ["sys_enter", ...ATTACHMENTS.flatMap((attachment) => (attachment.kind === "raw" ? [attachment.tracepoint] : []))];
  const unique = [...new Set(tracepoints)];
  const found = new Map(rawTracepointTargets(unique).map((target, i) => [unique[i], target]));
  return {
    of: (tracepoint) => {
      const target = found.get(tracepoint);
      if (target === undefined) throw new Error(`no raw tracepoint target for ${tracepoint}`);
      return target;
    },
  };
}

// Slots of the handler table: one past the highest hooked syscall number here.
function handledSyscallSlots(): number {
  const numbers = SYSCALL_HANDLERS.flatMap((handler) => handler.syscalls.map((syscall) => findSyscallNumber(syscall) ?? 0));
  return Math.max(0, ...numbers) + 1;
}

function readPossible(): string {
  return readFileSync("/sys/devices/system/cpu/possible", "utf8");
}
