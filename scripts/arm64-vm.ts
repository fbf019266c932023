#!/usr/bin/env bun
// Runs test files on arm64: an emulated arm64 machine (qemu-system-aarch64, no KVM) booting
// Debian's arm64 kernel with an initramfs that holds the arm64 binary, the repository's src and
// test, and the tools the tests use. The binary is Bun, so `BUN_BE_BUN=1 assay test` is the test
// runner, and the e2e tests spawn the same binary as dist/assay-runner. This exercises what x64
// cannot: the arm64 syscall tables, the kernel's arm64 BPF JIT, JavaScriptCore's arm64 code.
//
// A development tool, not part of CI: it needs root, apt with Debian's arm64 packages, and minutes
// (emulation runs ~20× slower). Usage: bun scripts/arm64-vm.ts [test path…]; exits with the
// tests' status. The downloaded packages are kept in $XDG_CACHE_HOME/assay-arm64-vm.
import { $ } from "bun";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildWasm } from "./build-wasm.ts";
import { COMPILE_FLAGS } from "./compile-flags.ts";

const root = resolve(import.meta.dir, "..");
const KERNEL_TESTS = [
  "test/bpf",
  "test/capture",
  "test/egress",
  "test/e2e/ebpf-engine.test.ts",
  "test/e2e/run-kernel.test.ts",
  "test/e2e/capture.test.ts",
  "test/e2e/issue-14-evidence-truth.test.ts",
  "test/e2e/network-names.test.ts",
  "test/e2e/egress.test.ts",
  "test/e2e/doctor.test.ts",
];
// What the tests run besides the binary (Debian bookworm's arm64 names): a shell, coreutils,
// bash, python3, openssl and strace with their libraries.
const PACKAGES = [
  "libc6",
  "busybox-static",
  "dash",
  "bash",
  "libtinfo6",
  "coreutils",
  "libacl1",
  "libattr1",
  "libselinux1",
  "libgmp10",
  "libpcre2-8-0",
  "python3-minimal",
  "python3.11-minimal",
  "libpython3.11-minimal",
  "libpython3.11-stdlib",
  "libexpat1",
  "zlib1g",
  "libcrypt1",
  "libffi8",
  "libssl3",
  "libbz2-1.0",
  "liblzma5",
  "openssl",
  "strace",
  "libunwind8",
  "libdw1",
  "libelf1",
  "libzstd1",
];
// node_modules the tests import; the formatter and binaryen stay behind (assemblyscript
// goes: the build checks the .wasm against its package.json).
const LEFT_BEHIND = new Set(["bun", "@biomejs", "binaryen", "bun-types", "@types", ".bin"]);

const tests = process.argv.slice(2);
if (process.getuid?.() !== 0) fail("needs root (apt, and the tests inside run as root)");
await ensureHostTools();
const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "assay-arm64-vm");
mkdirSync(cache, { recursive: true });
const kernelPackage = await resolveKernelPackage();
await download([...PACKAGES, kernelPackage]);

const work = mkdtempSync(join(tmpdir(), "assay-arm64-vm-"));
// Stopped (Ctrl-C, a CI timeout): the machine goes, and the ~300 MB work directory with it.
let machine: Bun.Subprocess | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    machine?.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}
let status = 1;
try {
  const rootfs = join(work, "rootfs");
  mkdirSync(rootfs);
  for (const name of [...PACKAGES, kernelPackage]) await $`dpkg-deb -x ${debOf(name)} ${rootfs}`.quiet();
  const kernel = readdirSync(join(rootfs, "boot")).find((name) => name.startsWith("vmlinuz-"));
  // (not fail(): its exit would skip the finally that removes the work directory)
  if (kernel === undefined) console.error(`arm64-vm: ${kernelPackage} has no /boot/vmlinuz-*`);
  else {
    await buildArm64Binary(join(rootfs, "assay"));
    copyRepository(join(rootfs, "repo"));
    writeInit(rootfs, tests.length > 0 ? tests : KERNEL_TESTS);
    await $`cd ${rootfs} && find . | cpio -o -H newc --quiet | gzip -1 > ${join(work, "initrd.gz")}`;
    console.error(`arm64-vm: booting ${kernel} (emulated; the tests take minutes)`);
    status = await boot(join(rootfs, "boot", kernel), join(work, "initrd.gz"));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(status);

function fail(message: string): never {
  console.error(`arm64-vm: ${message}`);
  process.exit(2);
}

async function ensureHostTools(): Promise<void> {
  const missing = [
    ["qemu-system-aarch64", "qemu-system-arm"],
    ["cpio", "cpio"],
  ].filter(([tool]) => Bun.which(tool as string) === null);
  if (missing.length > 0) await $`apt-get install -y -qq ${missing.map(([, pkg]) => pkg as string)}`.quiet();
  const foreign = await $`dpkg --print-foreign-architectures`.text();
  if (!foreign.split("\n").includes("arm64")) {
    await $`dpkg --add-architecture arm64`;
    await $`apt-get update -qq`.quiet();
  }
}

// linux-image-arm64 only depends on the versioned image package, which holds the kernel.
async function resolveKernelPackage(): Promise<string> {
  const depends = await $`apt-cache depends linux-image-arm64:arm64`.text();
  const name = /Depends: (linux-image-[^\s:]+)/.exec(depends)?.[1];
  if (name === undefined) fail("apt knows no linux-image-arm64:arm64 (is Debian's arm64 archive reachable?)");
  return name;
}

async function download(names: readonly string[]): Promise<void> {
  const wanted = names.filter((name) => !existsSync(join(cache, `${name}.deb`)));
  if (wanted.length === 0) return;
  const fetched = join(cache, "fetch");
  rmSync(fetched, { recursive: true, force: true });
  mkdirSync(fetched);
  chmodSync(fetched, 0o777);
  await $`cd ${fetched} && apt-get download ${wanted.map((name) => `${name}:arm64`)}`.quiet();
  // apt names files name_version_arch.deb: keep them by package name
  for (const file of readdirSync(fetched)) {
    const name = decodeURIComponent(file).split("_")[0] as string;
    renameSync(join(fetched, file), join(cache, `${name}.deb`));
  }
  rmSync(fetched, { recursive: true, force: true });
}

function debOf(name: string): string {
  return join(cache, `${name}.deb`);
}

async function buildArm64Binary(outfile: string): Promise<void> {
  await buildWasm();
  const entries = ["src/main.ts", "src/cli/_project-worker.ts", "src/cli/_review-worker.ts"].map((entry) => join(root, entry));
  await $`${process.execPath} build ${COMPILE_FLAGS} --target=bun-linux-arm64 ${entries} --outfile ${outfile}`.cwd(root).quiet();
}

function copyRepository(repo: string): void {
  mkdirSync(join(repo, "node_modules"), { recursive: true });
  for (const name of ["src", "test", "bench", "scripts", "action", "action.yml", "README.md", "package.json", "bunfig.toml", "tsconfig.json"])
    cpSync(join(root, name), join(repo, name), { recursive: true, preserveTimestamps: true });
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (!LEFT_BEHIND.has(name))
      cpSync(join(root, "node_modules", name), join(repo, "node_modules", name), { recursive: true, dereference: true, preserveTimestamps: true });
  }
  mkdirSync(join(repo, "dist"));
  symlinkSync("/assay", join(repo, "dist", "assay-runner"));
}

// The machine's first process: mounts what a runner host has, runs the tests, powers off.
function writeInit(rootfs: string, files: readonly string[]): void {
  // The test runner is the binary as Bun (BUN_BE_BUN=1). What its tests spawn must not inherit
  // that, or dist/assay-runner would be Bun too; a test that runs a script with process.execPath
  // gets a `bun` that sets it again and deletes it in the script (a wrapper, not the runner's
  // environment: dash, which runs wrappers, drops variables such as an exported bash function's).
  writeFileSync(join(rootfs, "vm-preload.ts"), 'delete process.env.BUN_BE_BUN;\nprocess.execPath = "/usr/local/bin/bun";\n');
  mkdirSync(join(rootfs, "usr/local/bin"), { recursive: true });
  writeFileSync(join(rootfs, "usr/local/bin/bun"), '#!/bin/sh\nBUN_BE_BUN=1 exec /assay --preload /vm-preload.ts "$@"\n', { mode: 0o755 });
  // busybox installs its applets into these, and only into directories that exist
  for (const dir of ["sbin", "usr/bin", "usr/sbin"]) mkdirSync(join(rootfs, dir), { recursive: true });
  writeFileSync(
    join(rootfs, "init"),
    `#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root
mkdir -p /proc /sys /dev /tmp /root /etc
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup
mount -t tracefs none /sys/kernel/tracing
ip link set lo up
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > /etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
echo "arm64-vm" > /etc/hostname
echo "== arm64-vm: $(uname -m) $(uname -r), CPUs $(cat /sys/devices/system/cpu/possible)"
cd /repo
BUN_BE_BUN=1 /assay test --preload /vm-preload.ts --timeout=600000 ${files.map((file) => `'${file}'`).join(" ")} 2>&1
echo "== arm64-vm: tests exited $?"
poweroff -f
`,
    { mode: 0o755 },
  );
}

async function boot(kernel: string, initrd: string): Promise<number> {
  const qemu = (machine = Bun.spawn(
    [
      "qemu-system-aarch64",
      ...["-M", "virt", "-cpu", "neoverse-n1", "-smp", "2", "-m", "3072", "-nographic", "-no-reboot"],
      ...["-kernel", kernel, "-initrd", initrd, "-append", "console=ttyAMA0 rdinit=/init panic=-1 quiet"],
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  ));
  let status = 1;
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of qemu.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    process.stdout.write(text);
    pending = (pending + text).slice(-4096);
    const exited = /== arm64-vm: tests exited (\d+)/.exec(pending);
    if (exited) status = Number(exited[1]);
  }
  await qemu.exited;
  return status;
}
