// Names on endpoints from the session's own DNS (native eBPF engine, root): a test DNS server on
// loopback answers api.example.test → 127.0.0.2; the workload resolves and connects.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sendDatagram } from "../../src/egress/index.ts";
import { chooseBackend } from "../../src/capture/index.ts";
import { startAnyNameServer } from "../egress/_dns-server.ts";
import { openArchive, writeKeyFile } from "../run/_archive.ts";
import { host, runAssay, skipReason, tempDir } from "../harness.ts";

const ebpf = await chooseBackend("ebpf");
const cannot = skipReason(
  !host.hasBinary || !host.hasCgroup2 || !ebpf.ok,
  `network names e2e needs the binary, root with cgroup v2 and the ebpf backend (${ebpf.ok ? "available" : ebpf.reason})`,
);

// Resolves argv[1] against a DNS server at argv[2]:53 (a hand-made A query), then connects to the answer.
const workload = `
import socket, struct, sys
name, server, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\x00" + struct.pack(">HH", 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.connect((server, 53)); u.send(q); a = u.recv(512)
address = socket.inet_ntoa(a[-4:])
c = socket.create_connection((address, port), timeout=5); c.close()
print(address)
`;

describe("assay-runner run --capture ebpf: names on endpoints", () => {
  test.skipIf(cannot)("an endpoint reached through a DNS answer carries its name, marked resolved, and a hosts rule classifies it", async () => {
    using dir = tempDir("network-names");
    const dns = await startAnyNameServer();
    using service = Bun.listen({ hostname: "127.0.0.2", port: 0, socket: { open: (socket) => void socket.end(), data: () => {} } });
    try {
      const archive = join(dir.path, "a.tar.gz");
      const script = join(dir.path, "resolve.py");
      writeFileSync(script, workload);
      const outcome = await runAssay(
        ["run", "--capture", "ebpf", "--run-id", "run_names", "-o", archive, "--", "python3", script, "api.example.test", "127.0.0.153", String(service.port)],
        {
          env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
        },
      );
      const opened = await openArchive(archive);
      const rows = opened.rows("layers/kernel.ndjson");
      const rules = join(dir.path, "rules.json");
      writeFileSync(rules, JSON.stringify({ schema: "assay.runner.projection_rules.v0", network: { hosts: { "example.test": "provider_api" } } }));
      const projected = await runAssay(["project", archive, "--rules", rules, "--format", "json"]);
      const endpoint = `127.0.0.2:${service.port}`;
      const network = JSON.parse(projected.stdout).network_projection;
      const entry = JSON.stringify(network).includes(endpoint) ? network : undefined;
      expect({
        exitCode: outcome.exitCode,
        issues: opened.issues,
        query: rows.filter((row) => row.kind === "dns_query").map((row) => row.value),
        answer: rows.filter((row) => row.kind === "dns_answer").map((row) => [row.value, row.network_destination]),
        note: opened.json("observation-health.json").notes.find((note: string) => note.startsWith("dns_capture:")),
        projected: projected.exitCode,
        classified: JSON.stringify(entry ?? {}).includes("provider_api") && JSON.stringify(entry ?? {}).includes("resolved"),
      }).toEqual({
        exitCode: 0,
        issues: [],
        query: ["api.example.test"],
        answer: [["api.example.test", "127.0.0.2"]],
        note: "dns_capture: queries=1 answer_rows=1 unparseable=0 answers_before_armed=0 named_endpoints=1/1 names=complete",
        projected: 0,
        classified: true,
      });
    } finally {
      dns.close();
    }
  });

  test.skipIf(cannot)("malformed answers (truncated, a compression loop, a 300-byte label) never crash the run and are counted", async () => {
    using dir = tempDir("network-names-malformed");
    // Answers by the query's first label: each one broken in its own way, after a valid header and question.
    const broken = (query: Uint8Array, kind: string): Uint8Array => {
      const header = Uint8Array.of(query[0] ?? 0, query[1] ?? 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0);
      const question = query.subarray(12);
      if (kind === "trunc") return Uint8Array.from([...header, ...question, 0xc0]);
      if (kind === "loop") return Uint8Array.from([...header, ...question, 0xc0, question.length + 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2]);
      return Uint8Array.from([...header, ...question, 0xff, ...new Uint8Array(300).fill(0x61), 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2]);
    };
    const dns = await Bun.udpSocket({
      hostname: "127.0.0.153",
      port: 53,
      socket: {
        data(socket, data, port, address) {
          const query = new Uint8Array(data);
          const label = new TextDecoder().decode(query.subarray(13, 13 + (query[12] ?? 0)));
          sendDatagram(socket, broken(query, label), port, address);
        },
        error: () => {},
      },
    });
    try {
      const script = join(dir.path, "ask.py");
      writeFileSync(
        script,
        `
import socket, struct
for label in ("trunc", "loop", "long"):
    q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + bytes([len(label)]) + label.encode() + b"\\x04test\\x00" + struct.pack(">HH", 1, 1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.sendto(q, ("127.0.0.153", 53)); u.recv(2048)
print("asked")
`,
      );
      const archive = join(dir.path, "a.tar.gz");
      const outcome = await runAssay(["run", "--capture", "ebpf", "--run-id", "run_names_malformed", "-o", archive, "--", "python3", script], {
        env: { ASSAY_REDACTION_KEY_FILE: writeKeyFile(dir.path) },
      });
      const opened = await openArchive(archive);
      const note = opened.json("observation-health.json").notes.find((text: string) => text.startsWith("dns_capture:"));
      expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, issues: opened.issues, note }).toEqual({
        exitCode: 0,
        stdout: "asked\n",
        issues: [],
        note: "dns_capture: queries=3 answer_rows=0 unparseable=3 answers_before_armed=0 named_endpoints=0/0 names=incomplete",
      });
    } finally {
      dns.close();
    }
  });
});
