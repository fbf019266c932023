// The egress part of a run: the policy read and compiled before anything starts, the runner's DNS
// stub, and the kernel programs on the session; after the workload, the blocked (or would-be
// blocked) attempts and the stub's DNS as kernel records, and the egress_policy note.
import { readFileSync } from "node:fs";
import type { KernelRecord } from "../capture/index.ts";
import {
  allowAnswers,
  EgressUnavailableError,
  KernelEgress,
  parseEgressPolicy,
  startDnsStub,
  type CompiledEgressPolicy,
  type DnsStub,
} from "../egress/index.ts";
import { formatEgressNote, formatIssue } from "../schema/index.ts";
import { dnsKernelRecords } from "./dns-evidence.ts";
import { RunHostError, RunInputError } from "./run-errors.ts";
import type { RunSpec } from "./run-spec.ts";

/** A session held to an egress policy (disposing it detaches the programs and stops the stub). */
export interface EgressSession extends AsyncDisposable {
  /** `egress_policy: mode=… digest=…`, and the stub's when there is none. */
  readonly notes: readonly string[];
  /** Blocked (20) or would-be blocked (32) attempts, then the stub's DNS rows. */
  records(cgroupId: bigint): KernelRecord[];
  /** Detaches the programs and stops the stub. */
  close(): Promise<void>;
}

/** Reads and compiles the policy file; a bad file is exit 2 before anything runs. */
export function readEgressPolicy(file: string): CompiledEgressPolicy {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new RunInputError("EGRESS_POLICY_INVALID", `--egress ${file}: ${error instanceof Error ? error.message : String(error)}`, file, { cause: error });
  }
  const compiled = parseEgressPolicy(input, file);
  if (!compiled.ok) throw new RunInputError("EGRESS_POLICY_INVALID", `--egress ${file}: ${compiled.issues.slice(0, 3).map(formatIssue).join("; ")}`, file);
  return compiled.value;
}

/** Starts the stub and attaches the policy to the session cgroup (exit 40 when the kernel refuses). */
export async function startEgress(egress: NonNullable<RunSpec["egress"]>, policy: CompiledEgressPolicy, cgroupPath: string): Promise<EgressSession> {
  const upstream = parseUpstream(egress.dnsUpstream) ?? systemResolver();
  let kernel: KernelEgress | undefined;
  const onAnswer = allowAnswers(policy, { insert: (entry) => kernel?.insert(entry) });
  const stub: DnsStub | undefined = upstream === undefined ? undefined : await startDnsStub({ upstream, onAnswer });
  try {
    kernel = KernelEgress.start({
      cgroupPath,
      policy,
      mode: egress.mode,
      namePrefix: `g${process.pid}`,
      ...(stub === undefined || upstream === undefined
        ? {}
        : { stub: { address: stub.address, port: stub.port, upstreamAddress: upstream.address, upstreamPort: upstream.port } }),
    });
  } catch (error) {
    await stub?.close();
    if (error instanceof EgressUnavailableError) throw new RunHostError("EGRESS_UNAVAILABLE", error.message, { cause: error });
    throw error;
  }
  const held = kernel;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    held.close();
    await stub?.close();
  };
  const notes = [formatEgressNote(egress.mode, policy.digest)];
  if (stub === undefined) notes.push("egress_dns: no IPv4 resolver in /etc/resolv.conf and no --dns-upstream; names cannot be allowed, only addresses");
  return {
    notes,
    records: (cgroupId) => [
      ...held.attempts().map((attempt): KernelRecord => {
        const { address, port } = splitEndpoint(attempt.endpoint);
        return { pid: attempt.pid, eventType: attempt.blocked ? 20 : 32, value: attempt.endpoint, cgroupId, networkDestination: address, networkPort: port };
      }),
      ...dnsKernelRecords(stub?.observations ?? []),
    ],
    close,
    [Symbol.asyncDispose]: close,
  };
}

// --- internal ---

function parseUpstream(text: string | undefined): { address: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const [address = "", port = "53"] = text.split(":");
  return { address, port: Number(port) };
}

// The first IPv4 nameserver of /etc/resolv.conf: where the session's DNS would have gone.
function systemResolver(): { address: string; port: number } | undefined {
  let text = "";
  try {
    text = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    return undefined;
  }
  const address = /^\s*nameserver\s+(\d{1,3}(?:\.\d{1,3}){3})\s*$/m.exec(text)?.[1];
  return address === undefined ? undefined : { address, port: 53 };
}

function splitEndpoint(endpoint: string): { address: string; port: number } {
  const m = /^(?:\[(.+)\]|(.+)):(\d+)$/.exec(endpoint);
  return { address: m?.[1] ?? m?.[2] ?? endpoint, port: Number(m?.[3] ?? 0) };
}
