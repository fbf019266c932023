/** Where and how the generated bpftrace program filters (all values come from the run). */
export interface ProgramTarget {
  /** The session cgroup id (the directory's inode on cgroup2). */
  readonly cgroupId: bigint;
  /** Pid of the runner: `kill(markerPid, 0)` from it prints the "attached" marker, `kill(-markerPid, 0)` the "drained" one. */
  readonly markerPid: number;
}

/** bpftrace's string buffer in bytes (BPFTRACE_STRLEN; at most 200 in 0.17). */
export const STRLEN = 200;


/** Hook ids the program prints in its records and counters. */
export const HOOK_IDS = { openat: 1, openat2: 2, open: 3, creat: 4, connect: 5, sendto: 6, sendmsg: 7, exec: 8 } as const;

/**
 * Builds the bpftrace program for one run: syscall tracepoints filtered in the kernel to the session
 * cgroup and its descendants, opens deduplicated in the kernel by (flags, path) at attempt time,
 * sockaddrs of IP peers printed raw, execs, per-hook counters and a drain marker.
 */
export function bpftraceProgram(target: ProgramTarget): string {
  const id = target.cgroupId.toString();
  // Descendant cgroups are followed by lineage: every process forked by a session process is
  // tracked by tgid wherever it moves (bpftrace 0.17 cannot read cgroup ancestors without BTF
  // walks that cost seconds of startup; see README of this folder for the exact limit).
  const inSession = `$in = cgroup == ${id} || @tracked[pid];`;
  const enterOpen = (hook: number, path: string, flags: string, mode: string, resolve: string) => `
  ${inSession}
  if ($in) {
    $flags = (uint64)(${flags});
    // Repeated opens of a (flags, path) pair end here: one hash lookup, nothing emitted.
    if (!@seen[$flags, str(${path})]) {
      @seen[$flags, str(${path})] = 1;
      @pending_path[tid] = (uint64)(${path});
      @pending_flags[tid] = $flags;
      @pending_mode[tid] = (uint64)(${mode});
      @pending_resolve[tid] = (uint64)(${resolve});
      @pending_hook[tid] = ${hook};
    }
  }`;
  const exitOpen = `/@pending_hook[tid]/ {
  $hook = @pending_hook[tid];
  printf("O\\t%d\\t%d\\t%d\\t%d\\t%d\\t%d\\t%s\\n", pid, $hook, @pending_flags[tid], @pending_mode[tid], @pending_resolve[tid], args->ret, str(@pending_path[tid]));
  @emitted[$hook] = count();
  delete(@pending_hook[tid]); delete(@pending_path[tid]); delete(@pending_flags[tid]); delete(@pending_mode[tid]); delete(@pending_resolve[tid]);
}`;
  // Only AF_INET (2) and AF_INET6 (10) peers are emitted (§5.2), as integers read in the host's
  // byte order: bpftrace's %r escapes are ambiguous (a raw backslash is printed unescaped).
  const emitPeer = (hook: number, addr: string, kind: string) => `
    $sa = (uint64)(${addr});
    $family = *(uint16 *)($sa);
    if ($family == 2) {
      printf("N\\t%d\\t%d\\t2\\t%u\\t%u\\n", pid, ${hook}, *(uint16 *)($sa + 2), *(uint32 *)($sa + 4));
      @emitted[${hook}] = count();
    } else if ($family == 10) {
      printf("N\\t%d\\t%d\\t10\\t%u\\t%u\\t%u\\t%u\\t%u\\n", pid, ${hook}, *(uint16 *)($sa + 2), *(uint32 *)($sa + 8), *(uint32 *)($sa + 12), *(uint32 *)($sa + 16), *(uint32 *)($sa + 20));
      @emitted[${hook}] = count();
    }${kind === "connect" ? "" : ` else {
      @non_ip[${hook}] = count();
    }`}`;
  const ids = HOOK_IDS;
  return `tracepoint:sched:sched_process_fork {
  ${inSession}
  if ($in) { @tracked[args->child_pid] = 1; }
}
tracepoint:sched:sched_process_exit /@tracked[tid]/ {
  delete(@tracked[tid]);
}
tracepoint:sched:sched_process_exec {
  ${inSession}
  if ($in) {
    printf("E\\t%d\\t%d\\t%s\\n", pid, ${ids.exec}, str(args->filename));
    @emitted[${ids.exec}] = count();
  }
}
tracepoint:syscalls:sys_enter_openat {${enterOpen(ids.openat, "args->filename", "args->flags", "args->mode", "0")}
}
tracepoint:syscalls:sys_enter_openat2 {${enterOpen(ids.openat2, "args->filename", "*(uint64 *)(args->how)", "*(uint64 *)((uint64)args->how + 8)", "*(uint64 *)((uint64)args->how + 16)")}
}
tracepoint:syscalls:sys_enter_open {${enterOpen(ids.open, "args->filename", "args->flags", "args->mode", "0")}
}
tracepoint:syscalls:sys_enter_creat {${enterOpen(ids.creat, "args->pathname", "01101", "args->mode", "0")}
}
tracepoint:syscalls:sys_exit_openat ${exitOpen}
tracepoint:syscalls:sys_exit_openat2 ${exitOpen}
tracepoint:syscalls:sys_exit_open ${exitOpen}
tracepoint:syscalls:sys_exit_creat ${exitOpen}
tracepoint:syscalls:sys_enter_connect {
  ${inSession}
  if ($in) {${emitPeer(ids.connect, "args->uservaddr", "connect")}
  }
}
tracepoint:syscalls:sys_enter_sendto {
  ${inSession}
  if ($in) {
    if (args->addr == 0) { @no_peer[${ids.sendto}] = count(); }
    else {${emitPeer(ids.sendto, "args->addr", "sendto")}
    }
  }
}
tracepoint:syscalls:sys_enter_sendmsg {
  ${inSession}
  if ($in) {
    $name = *(uint64 *)(args->msg);
    if ($name == 0) { @no_peer[${ids.sendmsg}] = count(); }
    else {${emitPeer(ids.sendmsg, "$name", "sendmsg")}
    }
  }
}
tracepoint:syscalls:sys_enter_kill /pid == ${target.markerPid} && args->sig == 0/ {
  printf("M\\t%d\\n", args->pid);
}
END {
  clear(@seen); clear(@pending_hook); clear(@pending_path); clear(@pending_flags); clear(@pending_mode); clear(@pending_resolve);
  clear(@tracked);
}
`;
}
