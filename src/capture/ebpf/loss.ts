import type { CaptureLoss, HookCount } from "../types.ts";
import type { DecodeTally } from "./decode.ts";
import { Counter, HOOK_IDS, type HookName } from "./record-layout.ts";

/**
 * The loss record of one capture: per hook, what the kernel emitted and what never arrived
 * (dropped in the kernel, or emitted but not received); plus every effect the engine knows it
 * did not observe whole, by reason. `runnerJoined`: the runner made syscalls inside the session,
 * which the programs must have seen.
 */
export function captureLoss(counters: readonly number[], tally: DecodeTally, recursionMisses: number, runnerJoined = false): CaptureLoss {
  const count = (index: number) => counters[index] ?? 0;
  const hooks = {} as Record<HookName, HookCount>;
  let ringbufDrops = 0;
  for (const [name, id] of Object.entries(HOOK_IDS) as Array<[HookName, number]>) {
    const emitted = count(Counter.emitted(id));
    const dropped = count(Counter.dropped(id)) + Math.max(0, emitted - tally.received[name]);
    hooks[name] = { emitted, dropped };
    ringbufDrops += dropped;
  }
  const unobserved: Record<string, number> = {};
  const note = (reason: string, value: number) => {
    if (value > 0) unobserved[reason] = value;
  };
  note("path_unreadable", count(Counter.PATH_UNREADABLE));
  note("open_tail_call_failed", count(Counter.OPEN_TAIL_CALL_FAILED));
  // a 32-bit task's syscalls use other numbers: the engine reads none of them
  note("compat_syscalls", count(Counter.COMPAT_SYSCALLS));
  note("peer_unreadable", count(Counter.PEER_UNREADABLE));
  note("return_dropped", count(Counter.RETURN_DROPPED));
  note("return_missing", tally.returnsMissing);
  note("pending_full", count(Counter.PENDING_FULL));
  note("lineage_full", count(Counter.LINEAGE_FULL));
  note("argv_dropped", count(Counter.ARGV_DROPPED));
  note("unix_connect_dropped", count(Counter.UNIX_DROPPED));
  note("exec_name_unreadable", tally.unreadableStrings);
  // A program run the kernel skipped (another BPF program was busy on that CPU) may have been the session's.
  note("bpf_recursion_misses", recursionMisses);
  // A task forked while the host's first syscall tracepoint was being attached can miss the flag
  // that routes its syscalls to tracepoints, and so can all it forks later: a runner that was, saw
  // none of its own syscalls traced, and its workload's would be invisible while the layer said
  // complete.
  note("runner_syscalls_untraced", runnerJoined && count(Counter.RUNNER_SEEN) === 0 ? 1 : 0);
  // the same flag read from each session thread as it ends, wherever it came from (x64 only)
  note("untraced_tasks", count(Counter.UNTRACED_TASKS));
  return {
    ringbufDrops,
    eventSizeMismatch: tally.malformed,
    hooks,
    sendNoRecoverablePeer: { sendto: count(Counter.NO_PEER_SENDTO), sendmsg: count(Counter.NO_PEER_SENDMSG) },
    sendNonIpFamily: { sendto: count(Counter.NON_IP_SENDTO), sendmsg: count(Counter.NON_IP_SENDMSG) },
    truncatedPaths: tally.cutStrings,
    unobserved,
  };
}
