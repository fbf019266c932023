import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { findCgroup2Mount, findExecutable, isWritable } from "../src/linux/index.ts";

/** Root of this repository. */
export const repoRoot: string = resolve(import.meta.dir, "..");

/** Upstream conformance data, copied into the repository (see its README and LICENSE). */
export const upstreamFixtures: string = join(repoRoot, "test/fixtures/upstream");

/** Path of the compiled binary under test (built by `bun run build`). */
export function assayExe(): string {
  return process.env.ASSAY_EXE ?? join(repoRoot, "dist", "assay-runner");
}

/** A clean environment for spawned binaries: no colour, UTC, no NODE_ENV. */
export const assayEnv: Record<string, string> = (() => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  delete env.NODE_ENV;
  delete env.FORCE_COLOR;
  env.NO_COLOR = "1";
  env.TZ = "UTC";
  return env;
})();

/** A temporary directory holding `tree` (relative path → content), removed on disposal. */
export function tempDir(prefix: string, tree: Record<string, string | Uint8Array> = {}): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), `assay-test-${prefix}-`));
  for (const [name, content] of Object.entries(tree)) {
    const file = join(path, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Mounts a small tmpfs on `dir` (created if missing) for full-disk and read-only tests; unmounted on disposal. */
export function mountTmpfs(dir: string, options: string): Disposable {
  mkdirSync(dir, { recursive: true });
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", options, "tmpfs", dir]);
  if (mounted.exitCode !== 0) throw new Error(`mount -t tmpfs -o ${options} on ${dir} failed: ${mounted.stderr.toString()}`);
  return { [Symbol.dispose]: () => void Bun.spawnSync(["umount", dir]) };
}

/** The outcome of running the binary: everything a test asserts on. */
export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Runs the compiled binary with `args` and returns stdout, stderr and exit code together. */
export async function runAssay(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<Outcome> {
  await using proc = Bun.spawn([assayExe(), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...assayEnv, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, exitCode };
}

/** Facts about this host that decide which tests can run. */
export const host = (() => {
  const isLinux = process.platform === "linux";
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const cgroup2Mount = isLinux ? findCgroup2Mount(readFileSync("/proc/self/mountinfo", "utf8")) : undefined;
  const hasCgroup2 = cgroup2Mount !== undefined && isRoot && isWritable(cgroup2Mount);
  // Whether this process may try the bpf() syscall at all; tests that load programs also probe the backend.
  const canLoadBpf = isLinux && isRoot;
  const hasStrace = findExecutable("strace") !== undefined;
  return { isLinux, isRoot, cgroup2Mount, hasCgroup2, canLoadBpf, hasStrace, hasBinary: existsSync(assayExe()) };
})();

const printedReasons = new Set<string>();

/** Prints once why a group of tests is skipped, so no skip is silent. */
export function skipReason(condition: boolean, reason: string): boolean {
  if (condition && !printedReasons.has(reason)) {
    printedReasons.add(reason);
    console.warn(`[skip] ${reason}`);
  }
  return condition;
}

/** Reads a child's output stream until the text read so far contains `marker` (or the stream ends); returns that text. */
export async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

/**
 * Polls `read` every 50 ms until `done` holds for its value or `timeoutMs` passes; returns the last
 * value. For effects of another process that cannot be awaited (a watchdog's cleanup).
 */
export async function pollUntil<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await Bun.sleep(50);
    value = read();
  }
  return value;
}
