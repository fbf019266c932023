// An egress policy held in the kernel on the session (root, native eBPF): names are allowed through
// the runner's DNS stub; what the policy does not allow is refused (block) or recorded (audit).
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chooseBackend } from "../../src/capture/index.ts";
import { startAnyNameServer } from "../egress/_dns-server.ts";
import { leftoverSessions, openArchive, writeKeyFile } from "../run/_archive.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";

const ebpf = await chooseBackend("ebpf");
const cannot = skipReason(
  !host.hasBinary || !host.hasCgroup2 || !ebpf.ok,
  `egress e2e needs the binary, root with cgroup v2 and the ebpf backend (${ebpf.ok ? "available" : ebpf.reason})`,
);

// Resolves api.example.test at 127.0.0.153:53, connects to the answer, then to a second address
// nothing allowed; prints what happened to each.
const workload = `
import socket, struct, sys
allowed_port, other_port = int(sys.argv[1]), int(sys.argv[2])
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\\x03api\\x07example\\x04test\\x00" + struct.pack(">HH", 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.connect(("127.0.0.153", 53)); u.send(q); a = u.recv(512)
address = socket.inet_ntoa(a[-4:])
for host, port in ((address, allowed_port), ("127.0.0.3", other_port)):
    try:
        socket.create_connection((host, port), timeout=5).close(); print(host, "connected")
    except OSError as e:
        print(host, "errno", e.errno)
`;

describe("assay-runner run --egress", () => {
  for (const mode of ["block", "audit"] as const) {
    test.skipIf(cannot)(
      `${mode}: an allowed name connects, an address no allowed name gave is ${mode === "block" ? "refused with EPERM" : "let through and recorded"}, outside the session nothing changes`,
      async () => {
        using dir = tempDir(`egress-${mode}`);
        const dns = await startAnyNameServer();
        using allowed = Bun.listen({ hostname: "127.0.0.2", port: 0, socket: { open: (socket) => void socket.end(), data: () => {} } });
        using other = Bun.listen({ hostname: "127.0.0.3", port: 0, socket: { open: (socket) => void socket.end(), data: () => {} } });
        try {
          const policy = join(dir.path, "policy.json");
          writeFileSync(policy, JSON.stringify({ schema: "assay.runner.egress_policy.v0", hosts: [{ name: "*.example.test" }] }));
          const script = join(dir.path, "workload.py");
          writeFileSync(script, workload);
          const archive = join(dir.path, "a.tar.gz");
          const runId = `run_egress_${mode}`;
          const outcome = await runAssay(
            [
              "run",
              "--capture",
              "ebpf",
              "--run-id",
              runId,
              "-o",
              archive,
              "--egress",
              policy,
              "--egress-mode",
              mode,
              "--dns-upstream",
              "127.0.0.153",
              "--",
              "python3",
              script,
              String(allowed.port),
              String(other.port),
            ],
            { env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) } },
          );
          const outside = Bun.spawnSync([
            "python3",
            "-c",
            `import socket; socket.create_connection(("127.0.0.3", ${other.port}), timeout=5).close(); print("outside connected")`,
          ]);
          // a run that wrote no archive fails here with what it said, not at the missing file
          if (outcome.exitCode !== 0) throw new Error(`run exited ${outcome.exitCode}: ${outcome.stderr}`);
          const opened = await openArchive(archive);
          const rows = opened.rows("layers/kernel.ndjson");
          const kind = mode === "block" ? "connect_blocked" : "connect_would_block";
          const health = opened.json("observation-health.json");
          const notes: string[] = health.notes;
          expect({
            // the capture sees both connects at syscall entry, whatever the policy does after
            captured: rows.filter((row) => row.kind === "connect" && row.value !== "127.0.0.153:53").map((row) => row.value),
            kernel: [health.kernel_layer, notes.filter((note) => note.startsWith("s2_kernel_capture:"))],
            exitCode: outcome.exitCode,
            stdout: outcome.stdout,
            outside: outside.stdout.toString(),
            issues: opened.issues,
            attempts: rows.filter((row) => row.kind === kind).map((row) => [row.value, row.network_destination, row.network_port, typeof row.cgroup_id]),
            allowedAttempts: rows.filter(
              (row) => (row.kind === "connect_blocked" || row.kind === "connect_would_block") && row.value === `127.0.0.2:${allowed.port}`,
            ).length,
            names: rows.filter((row) => row.kind === "dns_answer").map((row) => [row.value, row.network_destination]),
            note: notes.some((note) => new RegExp(`^egress_policy: mode=${mode} digest=sha256:[0-9a-f]{64}$`).test(note)),
            sessions: leftoverSessions(runId),
          }).toEqual({
            captured: [`127.0.0.2:${allowed.port}`, `127.0.0.3:${other.port}`],
            kernel: ["complete", [expect.stringContaining("ringbuf_drops=0")]],
            exitCode: 0,
            stdout: `127.0.0.2 connected\n127.0.0.3 ${mode === "block" ? "errno 1" : "connected"}\n`,
            outside: "outside connected\n",
            issues: [],
            attempts: [[`127.0.0.3:${other.port}`, "127.0.0.3", other.port, "number"]],
            allowedAttempts: 0,
            names: [["api.example.test", "127.0.0.2"]],
            note: true,
            sessions: [],
          });
        } finally {
          dns.close();
        }
      },
    );
  }

  test.skipIf(!host.hasBinary)("a policy file that is not a policy exits 2 before anything runs", async () => {
    using dir = tempDir("egress-bad");
    const policy = join(dir.path, "policy.json");
    writeFileSync(policy, JSON.stringify({ schema: "assay.runner.egress_policy.v0", hosts: [{ name: "" }] }));
    const ran = join(dir.path, "ran");
    const outcome = await runAssay(["run", "--capture", "auto", "-o", join(dir.path, "a.tar.gz"), "--egress", policy, "--", "sh", "-c", `touch ${ran}`]);
    expect({ exitCode: outcome.exitCode, named: outcome.stderr.includes(policy), ran: await Bun.file(ran).exists() }).toEqual({
      exitCode: 2,
      named: true,
      ran: false,
    });
  });
});
