import type { CompiledEgressPolicy } from "./egress-policy.ts";
import { matchHostRule } from "./egress-policy.ts";
import type { ResolvedAnswer } from "./dns-observer.ts";
import { formatIpBytes, parseIpBytes } from "./ip-bytes.ts";

/**
 * Where allowed addresses go: the kernel's allow map (the eBPF toolkit implements it with a
 * hash map read by the connect4/6 and sendmsg4/6 programs), or memory for audit and tests.
 * `insert` must have taken effect when its promise settles: the stub replies only after that.
 */
export interface EgressAllowMap {
  /** Allows `address` on `port` (0 = any port) for a name; inserting twice is harmless. */
  insert(entry: AllowEntry): void | Promise<void>;
}

/** One dynamic allow entry, from a DNS answer for an allowed name. */
export interface AllowEntry {
  readonly version: 4 | 6;
  /** Network-order address bytes. */
  readonly bytes: Uint8Array;
  readonly port: number;
  /** The allowed name it was answered for (kept for rows and audit). */
  readonly host: string;
  readonly ttl: number;
}

/** An allow map in memory: what a kernel map would hold, for audit decisions and tests. */
export class MemoryAllowMap implements EgressAllowMap {
  /** Address (as endpoints print it) → port (0 = any) → names. */
  readonly entries = new Map<string, Map<number, Set<string>>>();

  insert(entry: AllowEntry): void {
    const address = formatIpBytes(entry);
    const ports = this.entries.get(address) ?? new Map<number, Set<string>>();
    const names = ports.get(entry.port) ?? new Set<string>();
    names.add(entry.host);
    ports.set(entry.port, names);
    this.entries.set(address, ports);
  }

  /** Whether an attempt to `address:port` is allowed by an inserted entry. */
  allows(address: string, port: number): boolean {
    const ports = this.entries.get(address);
    return ports !== undefined && (ports.has(0) || ports.has(port));
  }
}

/**
 * The stub's `onAnswer` hook for a policy: the addresses an answer gave for a name the policy
 * allows are inserted (one entry per allowed port, or port 0) and awaited, so the reply — and any
 * connect the workload makes after it — finds them in place. Names the policy does not allow
 * insert nothing; their connects meet the kernel's default (block, or a would-be block in audit).
 */
export function allowAnswers(policy: Pick<CompiledEgressPolicy, "hosts">, map: EgressAllowMap): (answer: ResolvedAnswer) => Promise<void> {
  return async (answer) => {
    const rule = matchHostRule(answer.name, policy);
    if (rule === undefined) return;
    const inserts: (void | Promise<void>)[] = [];
    for (const { address, ttl } of answer.answers) {
      const ip = parseIpBytes(address);
      if (ip === undefined) continue;
      for (const port of rule.ports.length === 0 ? [0] : rule.ports)
        inserts.push(map.insert({ version: ip.version, bytes: ip.bytes, port, host: answer.name, ttl }));
    }
    await Promise.all(inserts);
  };
}
