/** Where and how the generated bpftrace program filters (all values come from the run). */
export interface ProgramTarget {
  /** The session cgroup id (the directory's inode on cgroup2). */
  readonly cgroupId: bigint;
  /** Pid of the runner: `kill(markerPid, 0)` from it prints the "attached" marker, `kill(-markerPid, 0)` the "drained" one. */
  readonly markerPid: number;
  /** Syscall numbers of the host's architecture (see `syscallNumbers`). */
  readonly syscalls: SyscallNumbers;
}

/** The syscall numbers the program dispatches on; `open` and `creat` do not exist on arm64. */
export interface SyscallNumbers {
  readonly openat: number;
  readonly openat2: number;
  readonly open?: number;
  readonly creat?: number;
  readonly connect: number;
  readonly sendto: number;
  readonly sendmsg: number;
  readonly kill: number;
}

/** bpftrace's string buffer in bytes (BPFTRACE_STRLEN; at most 200 in 0.17). */
export const STRLEN = 200;

/** Hook ids the program prints in its records and counters. */
export const HOOK_IDS = { openat: 1, openat2: 2, open: 3, creat: 4, connect: 5, sendto: 6, sendmsg: 7, exec: 8 } as const;

/** The syscall numbers for a Node/Bun `process.arch`, or undefined where we have no table. */
export function syscallNumbers(arch: string): SyscallNumbers | undefined {
  if (arch === "x64") return { openat: 257, openat2: 437, open: 2, creat: 85, connect: 42, sendto: 44, sendmsg: 46, kill: 62 };
  if (arch === "arm64") return { openat: 56, openat2: 437, connect: 203, sendto: 206, sendmsg: 211, kill: 129 };
  return undefined;
}

/**
 * Builds the bpftrace program for one run: the syscalls of interest through the two raw syscall
 * tracepoints, filtered in the kernel to the session cgroup and processes forked from it, opens
 * deduplicated in the kernel by (flags, path) at attempt time, IP peers as integers, execs,
 * per-hook counters and a drain marker.
 */
export function bpftraceProgram(target: ProgramTarget): string {
  const id = target.cgroupId.toString();
  const nr = target.syscalls;
  const ids = HOOK_IDS;
  // Two raw tracepoints instead of one per syscall: each attached tracepoint costs the kernel a
  // synchronisation, and 16 of them took seconds to attach on a loaded host.
  // Every `args` expression costs bpftrace 0.17 some 20 re-reads of tracefs' available_events
  // while compiling (~40 ms each here): 45 of them made most of a 1.4 s attach. So each probe
  // reads the syscall number and each argument it needs once, into `$id` and `$a0`…`$a3`.
  const opens: Array<[number | undefined, number, string]> = [
    [nr.openat, ids.openat, "$path = $a1; $flags = $a2 & 0xffffffff; $mode = $a3 & 0xffff;"],
    [nr.openat2, ids.openat2, "$path = $a1; $how = $a2; $flags = *(uint64 *)uptr($how); $mode = *(uint64 *)uptr($how + 8); $resolve = *(uint64 *)uptr($how + 16);"],
    [nr.open, ids.open, "$path = $a0; $flags = $a1 & 0xffffffff; $mode = $a2 & 0xffff;"],
    [nr.creat, ids.creat, "$path = $a0; $flags = 01101; $mode = $a1 & 0xffff;"],
  ];
  const present = opens.filter((entry): entry is [number, number, string] => entry[0] !== undefined);
  const openIds = present.map(([n]) => n);
  // The hot syscall first: comparisons stop at the first match.
  const watched = [...openIds, nr.connect, nr.sendto, nr.sendmsg, nr.kill];
  const isOneOf = (numbers: number[]) => numbers.map((n) => `$id == ${n}`).join(" || ");
  // Only AF_INET (2) and AF_INET6 (10) peers are emitted (§5.2), as integers read in the host's
  // byte order: bpftrace's %r escapes are ambiguous (a raw backslash is printed unescaped).
  const emitPeer = (hook: number, counted: boolean) => `
        $family = *(uint16 *)uptr($sa);
        if ($family == 2) {
          printf("N\\t%d\\t%d\\t2\\t%u\\t%u\\n", pid, ${hook}, *(uint16 *)uptr($sa + 2), *(uint32 *)uptr($sa + 4));
          @emitted[${hook}] = count();
        } else if ($family == 10) {
          printf("N\\t%d\\t%d\\t10\\t%u\\t%u\\t%u\\t%u\\t%u\\n", pid, ${hook}, *(uint16 *)uptr($sa + 2), *(uint32 *)uptr($sa + 8), *(uint32 *)uptr($sa + 12), *(uint32 *)uptr($sa + 16), *(uint32 *)uptr($sa + 20));
          @emitted[${hook}] = count();
        }${counted ? ` else {
          @non_ip[${hook}] = count();
        }` : ""}`;
  return `tracepoint:sched:sched_process_fork {
  // Descendant cgroups are followed by lineage: every process forked by a session process is
  // tracked by tgid wherever it moves (README: the exact limit).
  if (cgroup == ${id} || @tracked[pid]) { @tracked[args->child_pid] = 1; }
}
tracepoint:sched:sched_process_exit /@tracked[tid]/ {
  delete(@tracked[tid]);
}
tracepoint:sched:sched_process_exec /cgroup == ${id} || @tracked[pid]/ {
  printf("E\\t%d\\t%d\\t%s\\n", pid, ${ids.exec}, str(args->filename));
  @emitted[${ids.exec}] = count();
}
tracepoint:raw_syscalls:sys_enter {
  $id = args->id;
  if (${isOneOf(watched)}) {
    // The raw syscall arguments (pointers among them are user addresses: uptr). An array
    // variable would be a ctx pointer the verifier refuses to dereference, so one by one.
    $a0 = args->args[0]; $a1 = args->args[1]; $a2 = args->args[2]; $a3 = args->args[3];
    if ($id == ${nr.kill}) {
      // The runner's kill(±pid, 0) marks "probes live" and "drained"; the sign is in the low 32 bits.
      if (pid == ${target.markerPid} && $a1 == 0) { printf("M\\t%d\\n", $a0 & 0xffffffff); }
    } else if (cgroup == ${id} || @tracked[pid]) {
      $hook = 0; $path = (uint64)0; $flags = (uint64)0; $mode = (uint64)0; $resolve = (uint64)0; $how = (uint64)0;
${present.map(([n, hook, body], i) => `      ${i === 0 ? "if" : "} else if"} ($id == ${n}) {\n        $hook = ${hook}; ${body}`).join("\n")}
      }
      if ($hook != 0) {
        // Repeated opens of a (flags, path) pair end here: one string read, one hash lookup, nothing emitted.
        $key = str(uptr($path));
        if (!@seen[$flags, $key]) {
          @seen[$flags, $key] = 1;
          @pending_hook[tid] = $hook;
          @pending_path[tid] = $path;
          @pending_flags[tid] = $flags;
          @pending_mode[tid] = $mode;
          @pending_resolve[tid] = $resolve;
        }
      } else if ($id == ${nr.connect}) {
        $sa = $a1;${emitPeer(ids.connect, false)}
      } else if ($id == ${nr.sendto}) {
        $sa = args->args[4];
        if ($sa == 0) { @no_peer[${ids.sendto}] = count(); } else {${emitPeer(ids.sendto, true)}
        }
      } else if ($id == ${nr.sendmsg}) {
        $sa = *(uint64 *)uptr($a1);
        if ($sa == 0) { @no_peer[${ids.sendmsg}] = count(); } else {${emitPeer(ids.sendmsg, true)}
        }
      }
    }
  }
}
tracepoint:raw_syscalls:sys_exit {
  $id = args->id;
  if (${isOneOf(openIds)}) {
    if (@pending_hook[tid]) {
      $hook = @pending_hook[tid];
      printf("O\\t%d\\t%d\\t%d\\t%d\\t%d\\t%d\\t%s\\n", pid, $hook, @pending_flags[tid], @pending_mode[tid], @pending_resolve[tid], args->ret, str(uptr(@pending_path[tid])));
      @emitted[$hook] = count();
      delete(@pending_hook[tid]); delete(@pending_path[tid]); delete(@pending_flags[tid]); delete(@pending_mode[tid]); delete(@pending_resolve[tid]);
    }
  }
}
END {
  clear(@seen); clear(@tracked); clear(@pending_hook); clear(@pending_path); clear(@pending_flags); clear(@pending_mode); clear(@pending_resolve);
}
`;
}
