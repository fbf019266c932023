// Holds a session to an egress policy in the kernel: allow tries filled from the compiled policy
// (and, through the stub, from DNS answers for allowed names), the decision programs attached to
// the session cgroup, and a reader of the attempts they recorded.
import {
  BpfError,
  BpfMap,
  BpfProgram,
  CgroupAttachType,
  CgroupLink,
  closeInBackground,
  MapType,
  ProgramType,
  RingBufferReader,
  type Program,
} from "../bpf/index.ts";
import type { AllowEntry, EgressAllowMap } from "./allow-map.ts";
import type { AllowTuple, CompiledEgressPolicy } from "./egress-policy.ts";
import { formatIpBytes } from "./ip-bytes.ts";
import {
  ATTEMPT,
  ATTEMPT_TYPE,
  AttemptSyscall,
  decide4Program,
  decide6Program,
  EgressMap,
  replySourceProgram,
  TRIE_KEY,
  type EgressProgramOptions,
} from "./kernel-programs.ts";

/** A connect or send the policy did not allow: refused in block mode, let through in audit mode. */
export interface EgressAttempt {
  readonly pid: number;
  readonly syscall: "connect" | "sendmsg";
  /** `ip:port` or `[ip6]:port`, as kernel rows print endpoints. */
  readonly endpoint: string;
  readonly blocked: boolean;
}

/** How to enforce. */
export interface KernelEgressOptions {
  readonly cgroupPath: string;
  readonly policy: CompiledEgressPolicy;
  readonly mode: "audit" | "block";
  /** The stub the session's DNS is sent to, and the upstream it forwards to (IPv4). */
  readonly stub?: { readonly address: string; readonly port: number; readonly upstreamAddress: string; readonly upstreamPort: number };
  /** Kernel object names start with it. */
  readonly namePrefix: string;
}

/** The kernel refused to hold the session to the policy (a map, program or attachment): the host cannot, exit 40. */
export class EgressUnavailableError extends Error {
  override readonly name = "EgressUnavailableError";
  readonly exitCode = 40;
}

/** The policy's programs attached to a session; `close` detaches them. */
export class KernelEgress implements EgressAllowMap {
  readonly #maps = new Map<string, BpfMap>();
  readonly #programs: BpfProgram[] = [];
  readonly #links: CgroupLink[] = [];
  readonly #attempts: EgressAttempt[] = [];
  #reader: RingBufferReader | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor() {}

  /** Creates the tries, fills them with the policy's tuples, loads and attaches the programs; on failure releases everything and throws a BpfError. */
  static start(options: KernelEgressOptions): KernelEgress {
    const egress = new KernelEgress();
    try {
      egress.#createMaps(options.namePrefix);
      for (const tuple of options.policy.tuples) egress.#allow(tuple);
      egress.#attach(options);
      egress.#reader = RingBufferReader.open(egress.#map(EgressMap.EVENTS));
      egress.#timer = setInterval(() => egress.drain(), 10);
      egress.#timer.unref?.();
      return egress;
    } catch (error) {
      egress.close();
      if (error instanceof BpfError) throw new EgressUnavailableError(`the egress policy cannot be held in the kernel: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Allows an address a DNS answer gave for an allowed name (the stub awaits this before replying). */
  insert(entry: AllowEntry): void {
    this.#allow({ version: entry.version, bytes: entry.bytes, prefixLength: entry.bytes.length * 8, port: entry.port });
  }

  /** Reads the attempts recorded so far. */
  drain(): void {
    this.#reader?.drain((record) => {
      const attempt = decodeAttempt(record);
      if (attempt !== undefined) this.#attempts.push(attempt);
    });
  }

  /** Every attempt outside the policy, in order. */
  attempts(): readonly EgressAttempt[] {
    this.drain();
    return this.#attempts;
  }

  /** Detaches the programs and releases every map; safe to call twice. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.drain();
    this.#reader?.close();
    this.#reader = undefined;
    for (const link of this.#links.splice(0)) link.close();
    closeInBackground([...this.#programs.splice(0), ...this.#maps.values()].map((object) => object.takeFd()));
    this.#maps.clear();
  }

  #createMaps(prefix: string): void {
    const NO_PREALLOC = 1;
    const trie = (name: string, keySize: number) => ({ name, type: MapType.LPM_TRIE, keySize, valueSize: 4, maxEntries: 16384, flags: NO_PREALLOC });
    for (const spec of [
      trie(EgressMap.PORT4, TRIE_KEY.port4),
      trie(EgressMap.ANY4, TRIE_KEY.any4),
      trie(EgressMap.PORT6, TRIE_KEY.port6),
      trie(EgressMap.ANY6, TRIE_KEY.any6),
      { name: EgressMap.EVENTS, type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 1 << 20 },
    ]) {
      this.#maps.set(spec.name, BpfMap.create({ ...spec, name: `${prefix}_${spec.name}` }));
    }
  }

  // A tuple becomes one trie key: [prefix length, (port, 2 zero bytes), address]; a port of 0 means any.
  #allow(tuple: AllowTuple): void {
    const addressBytes = tuple.version === 4 ? 4 : 16;
    const withPort = tuple.port !== 0;
    const key = new Uint8Array(4 + (withPort ? 4 : 0) + addressBytes);
    const view = new DataView(key.buffer);
    view.setUint32(0, (withPort ? 32 : 0) + tuple.prefixLength, true);
    if (withPort) view.setUint16(4, tuple.port, false);
    key.set(tuple.bytes.subarray(0, addressBytes), withPort ? 8 : 4);
    const map = tuple.version === 4 ? (withPort ? EgressMap.PORT4 : EgressMap.ANY4) : withPort ? EgressMap.PORT6 : EgressMap.ANY6;
    this.#map(map).update(key, new Uint8Array([1, 0, 0, 0]));
  }

  #attach(options: KernelEgressOptions): void {
    const stub =
      options.stub === undefined
        ? undefined
        : {
            address: ipv4Bytes(options.stub.address),
            port: options.stub.port,
            upstreamAddress: ipv4Bytes(options.stub.upstreamAddress),
            upstreamPort: options.stub.upstreamPort,
          };
    const programOptions: EgressProgramOptions = { mode: options.mode, ...(stub === undefined ? {} : { stub }) };
    const hooks: Array<[string, number, Program]> = [
      ["connect4", CgroupAttachType.INET4_CONNECT, decide4Program(AttemptSyscall.CONNECT, programOptions)],
      ["sendmsg4", CgroupAttachType.UDP4_SENDMSG, decide4Program(AttemptSyscall.SENDMSG, programOptions)],
      ["connect6", CgroupAttachType.INET6_CONNECT, decide6Program(AttemptSyscall.CONNECT, programOptions)],
      ["sendmsg6", CgroupAttachType.UDP6_SENDMSG, decide6Program(AttemptSyscall.SENDMSG, programOptions)],
    ];
    if (stub !== undefined) hooks.push(["recvmsg4", CgroupAttachType.UDP4_RECVMSG, replySourceProgram(programOptions)]);
    for (const [name, attachType, instructions] of hooks) {
      const program = BpfProgram.load(
        { name: `${options.namePrefix}_${name}`, type: ProgramType.CGROUP_SOCK_ADDR, instructions, expectedAttachType: attachType },
        this.#maps,
      );
      this.#programs.push(program);
      this.#links.push(CgroupLink.attach(program, options.cgroupPath, attachType));
    }
  }

  #map(name: string): BpfMap {
    const map = this.#maps.get(name);
    if (map === undefined) throw new BpfError("BPF_UNAVAILABLE", `map ${name}`, 0, `map ${name} was not created`);
    return map;
  }
}

// --- internal ---

function decodeAttempt(record: Uint8Array): EgressAttempt | undefined {
  if (record.length < ATTEMPT.size || record[ATTEMPT.type] !== ATTEMPT_TYPE) return undefined;
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const family = view.getUint16(ATTEMPT.family, true);
  const port = view.getUint16(ATTEMPT.port, false);
  const version = family === 2 ? 4 : family === 10 ? 6 : undefined;
  if (version === undefined) return undefined;
  const address = formatIpBytes({ version, bytes: record.slice(ATTEMPT.address, ATTEMPT.address + (version === 4 ? 4 : 16)) });
  return {
    pid: view.getUint32(ATTEMPT.tgid, true),
    syscall: record[ATTEMPT.syscall] === AttemptSyscall.SENDMSG ? "sendmsg" : "connect",
    endpoint: version === 4 ? `${address}:${port}` : `[${address}]:${port}`,
    blocked: record[ATTEMPT.blocked] === 1,
  };
}

function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    throw new BpfError("BPF_UNAVAILABLE", "egress stub", 0, `not an IPv4 address: ${address}`);
  return new Uint8Array(parts);
}
