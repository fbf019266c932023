import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findCgroup2Mount } from "./mountinfo.ts";

/** One fact about this host that decides what it can capture. */
export interface HostCheck {
  /** Stable key, e.g. `cgroup2`, `bpf_load`, `strace`. */
  readonly check: string;
  readonly ok: boolean;
  /** What was found, or why not. */
  readonly detail: string;
}

/** Cheap facts about this host (no process spawned, except `strace -V` when its version is read). */
export interface HostFacts {
  readonly isLinux: boolean;
  readonly isRoot: boolean;
  /** Effective capabilities that matter here. */
  readonly caps: { readonly bpf: boolean; readonly perfmon: boolean; readonly sysAdmin: boolean; readonly sysPtrace: boolean };
  readonly cgroup2Mount: string | undefined;
  readonly cgroup2Writable: boolean;
  readonly stracePath: string | undefined;
  /** e.g. `strace 6.1`. */
  readonly straceVersion: string | undefined;
  /** Where tracefs is mounted (`/sys/kernel/tracing` or the debugfs path), if it is. */
  readonly tracefs: string | undefined;
  readonly btf: boolean;
  /** Yama ptrace_scope 0–3, or undefined when Yama is not built in. */
  readonly yamaPtraceScope: number | undefined;
}

/** The standard tracefs mount point. */
export const TRACEFS_PATH = "/sys/kernel/tracing";

/** Reads the cheap host facts. */
export function readHostFacts(): HostFacts {
  const isLinux = process.platform === "linux";
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const caps = effectiveCaps();
  const cgroup2Mount = isLinux ? findCgroup2Mount(readText("/proc/self/mountinfo") ?? "") : undefined;
  const stracePath = findExecutable("strace");
  // `strace -V` is a process spawn (~10–30 ms): asked only by those who print or need it, so an
  // eBPF run does not pay for it on its way to the workload.
  let straceVersion: string | undefined | null = null;
  return {
    isLinux,
    isRoot,
    caps,
    cgroup2Mount,
    cgroup2Writable: cgroup2Mount !== undefined && isWritable(cgroup2Mount),
    stracePath,
    get straceVersion() {
      if (straceVersion === null) straceVersion = stracePath ? straceVersionOf(firstLine(run([stracePath, "-V"]))) : undefined;
      return straceVersion;
    },
    tracefs: [TRACEFS_PATH, "/sys/kernel/debug/tracing"].find((dir) => existsSync(join(dir, "events"))),
    btf: existsSync("/sys/kernel/btf/vmlinux"),
    yamaPtraceScope: numberOr(readText("/proc/sys/kernel/yama/ptrace_scope")),
  };
}

/** Whether this process may load BPF programs and attach tracepoints (root, or CAP_BPF with CAP_PERFMON). */
export function mayLoadBpf(facts: HostFacts): boolean {
  return facts.isRoot || facts.caps.sysAdmin || (facts.caps.bpf && facts.caps.perfmon);
}

/** Whether strace can trace the workload it starts, given Yama (scope 3 forbids all ptrace). */
export function mayPtraceChild(facts: HostFacts): boolean {
  if (facts.yamaPtraceScope === 3) return false;
  if (facts.yamaPtraceScope === 2) return facts.isRoot || facts.caps.sysPtrace;
  return true;
}

/** Mounts tracefs at its standard place when it is missing (tracepoint ids and formats live there); returns where it is. */
export function ensureTracefs(facts: HostFacts): string | undefined {
  if (facts.tracefs !== undefined) return facts.tracefs;
  if (!existsSync(TRACEFS_PATH)) return undefined;
  const result = Bun.spawnSync(["mount", "-t", "tracefs", "nodev", TRACEFS_PATH], { stdout: "ignore", stderr: "ignore" });
  return result.exitCode === 0 && existsSync(join(TRACEFS_PATH, "events")) ? TRACEFS_PATH : undefined;
}

/** Finds an executable on PATH (or the usual system directories). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Whether this process may write `path` (access(2) W_OK). */
export function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// --- internal ---

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function numberOr(text: string | undefined): number | undefined {
  const value = Number.parseInt(text?.trim() ?? "", 10);
  return Number.isNaN(value) ? undefined : value;
}

function run(argv: string[]): string {
  try {
    const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
    return new TextDecoder().decode(result.stdout) || new TextDecoder().decode(result.stderr);
  } catch {
    return "";
  }
}

function firstLine(text: string): string | undefined {
  return text.split("\n").find((line) => line.trim() !== "");
}

function straceVersionOf(line: string | undefined): string | undefined {
  const version = /version\s+(\S+)/.exec(line ?? "")?.[1];
  return version ? `strace ${version}` : undefined;
}

// CapEff from /proc/self/status: CAP_SYS_PTRACE 19, CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39.
function effectiveCaps(): HostFacts["caps"] {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(readText("/proc/self/status") ?? "")?.[1];
  const mask = hex ? BigInt(`0x${hex}`) : 0n;
  const has = (bit: number) => (mask & (1n << BigInt(bit))) !== 0n;
  return { bpf: has(39), perfmon: has(38), sysAdmin: has(21), sysPtrace: has(19) };
}
