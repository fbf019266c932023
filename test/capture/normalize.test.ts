import { describe, expect, test } from "bun:test";
import { EVENT_UNIX_CONNECT, normalizeKernelRecords, recordStream, type KernelRecord, type NormalizeOptions } from "../../src/capture/index.ts";
import { openOperationFlags } from "../../src/capture/normalize.ts";
import { deriveSurfaceSets, KERNEL_KINDS_BY_EVENT_TYPE, type KernelEvent } from "../../src/schema/index.ts";

async function normalize(records: readonly KernelRecord[], runId = "run_1", options: NormalizeOptions = {}) {
  const lines: string[] = [];
  const summary = await normalizeKernelRecords(
    recordStream(records),
    runId,
    (line) => {
      lines.push(line);
    },
    options,
  );
  return { lines, rows: lines.map((line) => JSON.parse(line) as Record<string, unknown>), summary };
}

const open = (value: string | null, flags: number, returnValue: number, extra: Partial<KernelRecord> = {}): KernelRecord => ({
  pid: 42,
  eventType: 1,
  value,
  flags,
  mode: flags & 0o100 ? 0o644 : 0,
  returnValue,
  ...extra,
});

describe("normalizeKernelRecords", () => {
  test("writes openat rows in upstream field order with optional fields omitted", async () => {
    const { lines } = await normalize([open("/work/out.txt", 0o1101, 3), open("/work/in.txt", 0, -2, { resolve: 8 })]);
    expect(lines).toEqual([
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":0,"pid":42,"event_type":1,"kind":"openat","value":"/work/out.txt","flags":577,"mode":420,"return_value":3,"access_mode":"write","operation_flags":["create","truncate"],"status":"success"}\n',
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":1,"pid":42,"event_type":1,"kind":"openat","value":"/work/in.txt","flags":0,"mode":0,"resolve":8,"return_value":-2,"access_mode":"read","status":"error"}\n',
    ]);
  });

  test("reproduces upstream's real row byte for byte", async () => {
    const path = "/opt/actions-runner/_work/x/workdir/tool-calls.ndjson";
    const { lines } = await normalize(
      [{ pid: 246274, eventType: 1, value: path, flags: 524865, mode: 438, returnValue: 21 }],
      "run_arm_a-openai_20260525T113813Z_1",
    );
    expect(lines[0]).toBe(
      `{"schema":"assay.runner.kernel_event.v0","run_id":"run_arm_a-openai_20260525T113813Z_1","seq":0,"pid":246274,"event_type":1,"kind":"openat","value":"${path}","flags":524865,"mode":438,"return_value":21,"access_mode":"write","operation_flags":["create","truncate"],"status":"success"}\n`,
    );
  });

  test("writes network, exec and unknown rows with only the base fields", async () => {
    const { lines } = await normalize([
      { pid: 7, eventType: 2, value: "127.0.0.1:8080" },
      { pid: 7, eventType: 6, value: "[::1]:53" },
      { pid: 8, eventType: 4, value: "/bin/true" },
      { pid: 9, eventType: 3, value: "ignored" },
    ]);
    expect(lines).toEqual([
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":0,"pid":7,"event_type":2,"kind":"connect","value":"127.0.0.1:8080"}\n',
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":1,"pid":7,"event_type":6,"kind":"sendto","value":"[::1]:53"}\n',
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":2,"pid":8,"event_type":4,"kind":"exec","value":"/bin/true"}\n',
      '{"schema":"assay.runner.kernel_event.v0","run_id":"run_1","seq":3,"pid":9,"event_type":3,"kind":"event_3","value":null}\n',
    ]);
  });

  test("drops inode-resolved telemetry and turns an empty value into null", async () => {
    const { rows } = await normalize([
      { pid: 1, eventType: 112, value: "/x" },
      { pid: 1, eventType: 2, value: "" },
    ]);
    expect(rows.map((row) => [row.seq, row.kind, row.value])).toEqual([[0, "connect", null]]);
  });

  test("keeps the first attempt of a (flags, path) pair, even a failed one", async () => {
    const { rows, summary } = await normalize([open("/w/a", 0, -2), open("/w/a", 0, 3), open("/w/a", 0o1101, 4), open("/w/a", 0o1101, 5), open("/w/b", 0, 3)]);
    expect(rows.map((row) => [row.seq, row.value, row.flags, row.return_value])).toEqual([
      [0, "/w/a", 0, -2],
      [1, "/w/a", 577, 4],
      [2, "/w/b", 0, 3],
    ]);
    expect(summary.rowCount).toBe(3);
  });

  test("filters loader telemetry without consuming seq and counts only what passed the kernel-side filter", async () => {
    const { rows, summary } = await normalize([
      open("/etc/ld.so.cache", 0o2000000, 3),
      open("/usr/lib/x86_64-linux-gnu/libc.so.6", 0o2000000, 3),
      open("/w/app/node_modules/a/index.js", 0, 3),
      open("/w/app/node_modules/a/index.js", 0, 3),
      open("/w/app/node_modules/b/index.js", 0, 3),
      open("/w/app/node_modules/b/index.js", 0o2000000, 3),
      open("/home/u/.rustup/toolchains/stable/lib/librustc.so", 0, 3),
      open("/w/target/debug/deps/libfoo.so", 0, 3),
      open("/w/target/debug/deps/foo.rlib", 0, 3),
      open("/w/input.txt", 0, 3),
      { pid: 1, eventType: 10, value: "/usr/lib/blocked.so" },
    ]);
    expect(rows.map((row) => [row.seq, row.kind, row.value])).toEqual([
      [0, "openat", "/w/target/debug/deps/foo.rlib"],
      [1, "openat", "/w/input.txt"],
      [2, "file_blocked", "/usr/lib/blocked.so"],
    ]);
    expect(summary.filteredLoaderEvents).toBe(5);
    expect(summary.filteredLoaderTop).toEqual([
      { path: "/w/app/node_modules/b/index.js", count: 2 },
      { path: "/home/u/.rustup/toolchains/stable/lib/librustc.so", count: 1 },
      { path: "/w/app/node_modules/a/index.js", count: 1 },
      { path: "/w/target/debug/deps/libfoo.so", count: 1 },
    ]);
  });

  // Issue 14 item 1: `echo x > /usr/lib/evil.so; cat /proc/1/environ; echo y > /dev/shm/drop` kept only reads.
  test("keeps every open that can write under a filtered prefix and counts every read it drops per rule", async () => {
    const { rows, summary } = await normalize([
      open("/usr/lib/evil.so", 0o1101, 3),
      open("/proc/1/environ", 0o2100000, 3),
      open("/dev/shm/drop", 0o1101, 3),
      open("/usr/lib/x86_64-linux-gnu/libc.so.6", 0o2100000, 3),
      open("/usr/lib/rw.db", 0o2, 3),
      open("/proc/self/attr/current", 0o1001, 3),
      open("/dev/null", 0o1101, 3),
      open("/etc/ld.so.cache", 0o2000000, 3),
      { pid: 1, eventType: 4, value: "/usr/lib/x86_64-linux-gnu/helper" },
      open("index.txt", 0o100000, 3),
    ]);
    expect(rows.map((row) => [row.kind, row.value, row.access_mode ?? null])).toEqual([
      ["openat", "/usr/lib/evil.so", "write"],
      ["openat", "/dev/shm/drop", "write"],
      ["openat", "/usr/lib/rw.db", "read_write"],
      ["openat", "/proc/self/attr/current", "write"],
      ["exec", "/usr/lib/x86_64-linux-gnu/helper", null],
      ["openat", "index.txt", "read"],
    ]);
    expect(summary.loaderFilter).toEqual({
      enabled: true,
      dropped: 4,
      byRule: [
        { rule: "/dev/", count: 1 },
        { rule: "/etc/ld.so.cache", count: 1 },
        { rule: "/proc/", count: 1 },
        { rule: "/usr/lib/", count: 1 },
      ],
      keptWrites: 4,
    });
  });

  test("keeps every open with keepAllOpens and says the filter was off", async () => {
    const { rows, summary } = await normalize([open("/proc/1/environ", 0, 3), open("/usr/lib/libc.so.6", 0, 3)], "run_1", { keepAllOpens: true });
    expect([rows.map((row) => row.value), summary.loaderFilter]).toEqual([
      ["/proc/1/environ", "/usr/lib/libc.so.6"],
      { enabled: false, dropped: 0, byRule: [], keptWrites: 0 },
    ]);
  });

  test("names daemon sockets and daemon clients without making rows of unix connects", async () => {
    const { rows, summary } = await normalize([
      { pid: 1, eventType: EVENT_UNIX_CONNECT, value: "/var/run/docker.sock" },
      { pid: 1, eventType: EVENT_UNIX_CONNECT, value: "/run/user/0/bus" },
      { pid: 1, eventType: EVENT_UNIX_CONNECT, value: "/run/containerd/containerd.sock" },
      { pid: 2, eventType: 4, value: "/usr/bin/systemd-run" },
      { pid: 3, eventType: 4, value: "/usr/bin/true" },
    ]);
    expect([rows.map((row) => row.value), summary.daemonHandoffs]).toEqual([
      ["/usr/bin/systemd-run", "/usr/bin/true"],
      ["exec:/usr/bin/systemd-run", "unix:/run/containerd/containerd.sock", "unix:/var/run/docker.sock"],
    ]);
  });

  test("fills the surface sets, failed opens included", async () => {
    const { summary } = await normalize([
      open("/w/missing", 0, -2),
      open("/w/present", 0, 3),
      { pid: 1, eventType: 2, value: "10.0.0.1:443" },
      { pid: 1, eventType: 7, value: "10.0.0.2:53" },
      { pid: 1, eventType: 2, value: null },
      { pid: 1, eventType: 4, value: "/bin/sh" },
    ]);
    expect({ fs: [...summary.filesystemPaths], net: [...summary.networkEndpoints], exec: [...summary.processExecs] }).toEqual({
      fs: ["/w/missing", "/w/present"],
      net: ["10.0.0.1:443", "10.0.0.2:53"],
      exec: ["/bin/sh"],
    });
  });

  test("fills the surface from exactly the rows verify derives it from, for every kernel kind", async () => {
    // one row of each kind, each with its own value: what the writer lists is what verify expects
    const records: KernelRecord[] = [...KERNEL_KINDS_BY_EVENT_TYPE.keys()].map((eventType) =>
      eventType === 1 ? open(`/w/kind-${eventType}`, 0, 3) : { pid: 1, eventType, value: `10.0.0.${eventType}:80`, cgroupId: 7n },
    );
    const { rows, summary } = await normalize(records);
    const derived = deriveSurfaceSets(rows as unknown as KernelEvent[], []);
    expect({
      filesystem_paths: [...summary.filesystemPaths].sort(),
      network_endpoints: [...summary.networkEndpoints].sort(),
      process_execs: [...summary.processExecs].sort(),
    }).toEqual({ filesystem_paths: derived.filesystem_paths, network_endpoints: derived.network_endpoints, process_execs: derived.process_execs });
    // an endpoint an audit policy let through is one (a CI run on arm64 wrote one verify then refused)
    expect(derived.network_endpoints).toContain("10.0.0.32:80");
  });

  test("counts retained rows whose path was cut, but not filtered ones", async () => {
    const { summary } = await normalize([open("/w/long", 0, 3, { truncated: true }), open("/w/node_modules/deep", 0, 3, { truncated: true })]);
    expect(summary.truncatedPaths).toBe(1);
  });

  test("escapes values like serde_json and writes cgroup_id only on connect_blocked", async () => {
    const { lines } = await normalize([
      open('/w/q"uote\\\n\u0001é', 0, 3),
      { pid: 1, eventType: 20, value: "1.2.3.4:80", cgroupId: 18446744073709551615n },
      { pid: 1, eventType: 2, value: "1.2.3.4:80", cgroupId: 5n },
    ]);
    expect(lines[0]).toContain('"value":"/w/q\\"uote\\\\\\n\\u0001é"');
    expect(lines[1]).toContain('"value":"1.2.3.4:80","cgroup_id":18446744073709551615}');
    expect(lines[2]).toEndWith('"value":"1.2.3.4:80"}\n');
  });
});

describe("openOperationFlags", () => {
  test("names create, truncate, append and O_EXCL in upstream's order", () => {
    expect(openOperationFlags(0o100 | 0o200 | 0o1000 | 0o2000)).toEqual(["create", "truncate", "append", "exclusive"]);
  });

  test("does not call O_NOCTTY exclusive (deliberate fix of upstream's 0o400)", () => {
    expect(openOperationFlags(0o400)).toEqual([]);
  });
});
