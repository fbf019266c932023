// The native eBPF engine through the compiled binary: what bpftrace could not carry (whole long
// paths, argv, processes placed into the session from outside), and honesty under load.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { chooseBackend } from "../../src/capture/index.ts";
import { leftoverSessions, openArchive, writeKeyFile } from "../run/_archive.ts";
import { assayEnv, assayExe, host, readUntil, runAssay, skipReason, tempDir } from "../harness.ts";

const ebpf = await chooseBackend("ebpf");
const cannot = skipReason(
  !host.hasBinary || !host.hasCgroup2 || !ebpf.ok,
  `native eBPF e2e needs the binary, root with cgroup v2 and the ebpf backend (${ebpf.ok ? "available" : ebpf.reason})`,
);

describe("assay-runner run --capture ebpf (native engine)", () => {
  test.skipIf(cannot)("a 4,000-byte path and a path with a non-UTF-8 byte come through whole, and execs carry their argv", async () => {
    using dir = tempDir("ebpf-long-path");
    const work = join(dir.path, "work");
    // 16 directories of 250 bytes: a path of ~4,050 bytes with the work dir and the file name.
    const segments = Array.from({ length: 16 }, (_, i) => `${String.fromCharCode(97 + i)}`.repeat(250));
    const longDir = join(work, ...segments);
    const longFile = join(longDir, "long.txt");
    const script = `mkdir -p "$1" && printf x > "$2" && printf x > "$(printf '%s/bad-\\377-byte' "$3")" && /bin/echo "with space" --flag=value > /dev/null`;
    const archive = join(dir.path, "a.tar.gz");
    const outcome = await runAssay(
      ["run", "--capture", "ebpf", "--run-id", "run_ebpf_long", "-o", archive, "--", "sh", "-c", script, "sh", longDir, longFile, work],
      {
        env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
      },
    );
    const opened = await openArchive(archive);
    const health = opened.json("observation-health.json");
    const rows = opened.rows("layers/kernel.ndjson");
    const badName = new TextDecoder().decode(new Uint8Array([...new TextEncoder().encode(`${work}/bad-`), 0xff, ...new TextEncoder().encode("-byte")]));
    const echo = rows.find((row) => row.kind === "exec" && row.value === "/bin/echo");
    expect({
      exitCode: outcome.exitCode,
      issues: opened.issues,
      kernel: health.kernel_layer,
      longBytes: new TextEncoder().encode(longFile).length >= 4000 && new TextEncoder().encode(longFile).length < 4096,
      long: rows.filter((row) => row.value === longFile).map((row) => [row.access_mode, row.status]),
      bad: rows.filter((row) => row.value === badName).map((row) => row.status),
      argv: echo?.argv,
      cut: echo?.argv_truncated,
    }).toEqual({
      exitCode: 0,
      issues: [],
      kernel: "complete",
      longBytes: true,
      long: [["write", "success"]],
      bad: ["success"],
      argv: ["/bin/echo", "with space", "--flag=value"],
      cut: undefined,
    });
  });

  test.skipIf(cannot)("an argv longer than the engine keeps is cut and flagged, never silently shortened", async () => {
    using dir = tempDir("ebpf-argv");
    const archive = join(dir.path, "a.tar.gz");
    const many = Array.from({ length: 200 }, (_, i) => `argument-${i}`);
    const outcome = await runAssay(["run", "--capture", "ebpf", "--run-id", "run_ebpf_argv", "-o", archive, "--", "/bin/echo", ...many], {
      env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
    });
    const opened = await openArchive(archive);
    const echo = opened.rows("layers/kernel.ndjson").find((row) => row.kind === "exec" && row.value === "/bin/echo");
    expect({ exitCode: outcome.exitCode, issues: opened.issues, kept: echo?.argv.length, prefix: echo?.argv.slice(0, 3), cut: echo?.argv_truncated }).toEqual({
      exitCode: 0,
      issues: [],
      kept: 128,
      prefix: ["/bin/echo", "argument-0", "argument-1"],
      cut: true,
    });
  });

  test.skipIf(cannot)("a process that something outside the session places into a cgroup below it is captured", async () => {
    using dir = tempDir("ebpf-placed");
    const work = join(dir.path, "work");
    mkdirSync(work);
    const archive = join(dir.path, "a.tar.gz");
    // The workload makes session/sub, says where it is, waits for the outsider's file, then removes sub.
    const script = [
      'session="$(cgroup_mount)$(sed -n "s/^0:://p" /proc/self/cgroup)"',
      'mkdir "$session/sub"',
      'echo "ready $session/sub"',
      'while [ ! -s "$1/outside.txt" ]; do sleep 0.05; done',
      'while ! rmdir "$session/sub" 2>/dev/null; do sleep 0.05; done',
    ].join("\n");
    const mount = host.cgroup2Mount ?? "/sys/fs/cgroup";
    await using runner = Bun.spawn(
      [
        assayExe(),
        "run",
        "--capture",
        "ebpf",
        "--run-id",
        "run_ebpf_placed",
        "-o",
        archive,
        "--",
        "sh",
        "-c",
        `cgroup_mount() { printf %s '${mount}'; }\n${script}`,
        "sh",
        work,
      ],
      { env: { ...assayEnv, ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) }, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    const ready = await readUntil(runner.stdout, "\n");
    const sub = /^ready (.*)$/m.exec(ready)?.[1] ?? "";
    // Not a descendant of the session: this shell joins session/sub itself, then writes.
    const outsider = Bun.spawn(["sh", "-c", 'echo $$ > "$1/cgroup.procs" && printf outsider > "$2/outside.txt"', "sh", sub, work]);
    const outsiderExit = await outsider.exited;
    const exitCode = await runner.exited;
    const opened = await openArchive(archive);
    expect({
      subMade: sub.startsWith(mount),
      outsiderExit,
      exitCode,
      issues: opened.issues,
      captured: opened
        .rows("layers/kernel.ndjson")
        .some((row) => row.kind === "openat" && row.value === join(work, "outside.txt") && row.access_mode === "write"),
      sessions: leftoverSessions("run_ebpf_placed"),
    }).toEqual({ subMade: true, outsiderExit: 0, exitCode: 0, issues: [], captured: true, sessions: [] });
  });

  test.skipIf(cannot)("--capture auto picks the native engine: no tool on the host is needed", async () => {
    using dir = tempDir("ebpf-auto");
    const archive = join(dir.path, "a.tar.gz");
    const outcome = await runAssay(["run", "--run-id", "run_ebpf_auto", "-o", archive, "--json", "--", "/bin/true"], {
      env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path), PATH: "/nonexistent-bin" },
    });
    const opened = await openArchive(archive);
    expect({
      exitCode: outcome.exitCode,
      backend: JSON.parse(outcome.stdout).capture_backend.startsWith("native eBPF engine (kernel "),
      note: opened.json("observation-health.json").notes.some((n: string) => n.startsWith("capture_backend: native eBPF engine")),
    }).toEqual({
      exitCode: 0,
      backend: true,
      note: true,
    });
  });
});

describe("assay-runner run --capture ebpf under load", () => {
  test.skipIf(cannot)(
    "four concurrent runs beside two busy loops and an open flood: each archive holds every known effect, or says its kernel layer is not complete",
    async () => {
      using dir = tempDir("ebpf-load");
      const key = writeKeyFile(dir.path);
      const busy = [0, 1].map(() => Bun.spawn(["sh", "-c", "while :; do :; done"], { stdio: ["ignore", "ignore", "ignore"] }));
      const flood = Bun.spawn(["sh", "-c", "i=0; while :; do : < /etc/hostname; i=$((i+1)); done"], { stdio: ["ignore", "ignore", "ignore"] });
      try {
        using listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (socket) => void socket.end(), data: () => {} } });
        // Ground truth: files written by the workload, a child, a grandchild and a background
        // grandchild; two execs; one TCP connect.
        const workload = [
          'printf a > "$1/self.txt"',
          'sh -c \'printf b > "$1/child.txt"; sh -c "printf c > \\"\\$1/grandchild.txt\\"" sh "$1"\' sh "$1"',
          '( sh -c \'printf d > "$1/background.txt"\' sh "$1" ) &',
          `python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", ${listener.port})); s.close()'`,
          "wait",
        ].join("\n");
        const runs = await Promise.all(
          [1, 2, 3, 4].map(async (index) => {
            const work = join(dir.path, `work-${index}`);
            mkdirSync(work);
            const archive = join(dir.path, `load-${index}.tar.gz`);
            const outcome = await runAssay(
              ["run", "--capture", "ebpf", "--run-id", `run_ebpf_load_${index}`, "-o", archive, "--", "sh", "-c", workload, "sh", work],
              {
                env: { ASSAY_REDACTION_KEY_FILE: key },
              },
            );
            return { work, archive, outcome };
          }),
        );
        const verdicts = [];
        for (const run of runs) {
          const opened = await openArchive(run.archive);
          const health = opened.json("observation-health.json");
          const surface = opened.json("capability-surface.json");
          const files = ["self.txt", "child.txt", "grandchild.txt", "background.txt"].map((name) => join(run.work, name));
          const effects: Record<string, boolean> = {
            ...Object.fromEntries(files.map((file) => [basename(file), surface.filesystem_paths.includes(file)])),
            connect: surface.network_endpoints.includes(`127.0.0.1:${listener.port}`),
            python3: surface.process_execs.some((exec: string) => exec.endsWith("/python3")),
          };
          const missing = Object.keys(effects).filter((name) => !effects[name]);
          const written = files.map((file) => existsSync(file) && readFileSync(file, "utf8").length === 1);
          const honest = health.kernel_layer === "complete" ? missing.length === 0 : health.notes.some((note: string) => note.startsWith("s2_kernel_capture:"));
          verdicts.push({
            exitCode: run.outcome.exitCode,
            issues: opened.issues,
            workloadDidItsWork: written.every(Boolean),
            // Never a silent gap: complete means every effect is there.
            honest,
            // A dishonest archive shows what it missed and what its kernel layer said, to find the cause.
            ...(honest
              ? {}
              : { missing, kernel: health.notes.find((note: string) => note.startsWith("s2_kernel_capture:")), rows: surface.filesystem_paths.length }),
          });
        }
        expect(verdicts).toEqual(runs.map(() => ({ exitCode: 0, issues: [], workloadDidItsWork: true, honest: true })));
      } finally {
        for (const child of [...busy, flood]) child.kill("SIGKILL");
      }
    },
  );
});
