// DNS on the session's sockets, seen by the engine's packet programs (root): both directions,
// UDP and TCP, to any port-53 server; other traffic and other processes are not recorded.
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createEbpfBackend } from "../../src/capture/index.ts";
import { sendDatagram } from "../../src/egress/index.ts";
import { host, skipReason, tempDir } from "../harness.ts";

const probe = await createEbpfBackend().probe();
const cannot = skipReason(!host.hasCgroup2 || !probe.available, `eBPF DNS tests need root, cgroup v2 and the bpf() syscall (${probe.reason})`);

// A query for api.example.test (A), and a server that answers anything with 127.0.0.2.
const query = Buffer.concat([
  Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
  Buffer.from("\x03api\x07example\x04test\x00", "latin1"),
  Buffer.from([0, 1, 0, 1]),
]);
const answerOf = (q: Uint8Array) =>
  Buffer.concat([
    Buffer.from(q.subarray(0, 2)),
    Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]),
    Buffer.from(q.subarray(12)),
    Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2]),
  ]);

// Kills what is left in a test cgroup and removes it, waiting for the kernel to empty it.
async function removeCgroup(path: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      rmdirSync(path);
      return;
    } catch {
      writeFileSync(join(path, "cgroup.kill"), "1");
      await Bun.sleep(20);
    }
  }
}

describe("eBPF backend: DNS on the session's sockets", () => {
  test.skipIf(cannot)("records the query sent and the answer received, over UDP and TCP, byte for byte, and nothing else", async () => {
    using scratch = tempDir("ebpf-dns");
    const udp = await Bun.udpSocket({
      hostname: "127.0.0.153",
      port: 53,
      socket: { data: (socket, data, port, address) => void sendDatagram(socket, answerOf(new Uint8Array(data)), port, address), error: () => {} },
    });
    using _tcp = Bun.listen({
      hostname: "127.0.0.153",
      port: 53,
      socket: { data: (socket, data) => void socket.end(Buffer.concat([Buffer.from([0, answerOf(data.subarray(2)).length]), answerOf(data.subarray(2))])) },
    });
    const cgroup = join(host.cgroup2Mount ?? "/sys/fs/cgroup", `assay-dns-test-${process.pid}`);
    mkdirSync(cgroup);
    try {
      await using armed = await createEbpfBackend().arm({ cgroupPath: cgroup, cgroupId: statSync(cgroup, { bigint: true }).ino, scratchDir: scratch.path });
      const script = [
        "import socket, sys",
        "q = bytes.fromhex(sys.argv[1])",
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.sendto(q, ('127.0.0.153', 53)); u.recv(512)",
        "t = socket.create_connection(('127.0.0.153', 53), timeout=5); t.sendall(len(q).to_bytes(2, 'big') + q); t.recv(512); t.close()",
        "o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); o.sendto(b'not dns', ('127.0.0.153', 54))",
      ].join("\n");
      await using child = Bun.spawn(
        ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', join(cgroup, "cgroup.procs"), "python3", "-c", script, query.toString("hex")],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      // A process outside the session asks too, and waits for its answer: not recorded.
      const outside = Bun.spawn([
        "python3",
        "-c",
        `import socket; u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.sendto(bytes.fromhex("${query.toString("hex")}"), ("127.0.0.153", 53)); u.recv(512)`,
      ]);
      const exitCode = await child.exited;
      await outside.exited;
      const outcome = await armed.stop(1000);
      const packets = (outcome.dns?.packets ?? []).map((p) => [p.direction, p.transport, p.remote, Buffer.from(p.payload).toString("hex"), p.cut]);
      const answer = answerOf(query).toString("hex");
      const length = (hex: string) => (hex.length / 2).toString(16).padStart(4, "0");
      expect({ exitCode, outsider: outside.exitCode, packets, dropped: outcome.dns?.dropped }).toEqual({
        exitCode: 0,
        outsider: 0,
        packets: [
          ["sent", "udp", "127.0.0.153:53", query.toString("hex"), false],
          ["received", "udp", "127.0.0.153:53", answer, false],
          ["sent", "tcp", "127.0.0.153:53", length(query.toString("hex")) + query.toString("hex"), false],
          ["received", "tcp", "127.0.0.153:53", length(answer) + answer, false],
        ],
        dropped: 0,
      });
    } finally {
      udp.close();
      await removeCgroup(cgroup);
    }
  });
});
