// The two loader-telemetry path filters of upstream's open path (lifecycle spec §5.2 step 3 and
// §5.5 step 2, archive spec §2.3). Upstream applies the first in the kernel before dedupe and the
// second in userspace after it; our backends hand every open to the normalizer, which applies both
// in that order, so both backends drop and count exactly what upstream would.

const exactPaths: ReadonlySet<string> = new Set([
  "/etc/ld.so.cache",
  "/etc/localtime",
  "/etc/ssl/openssl.cnf",
  "/usr/pyvenv.cfg",
  "/usr/bin/pyvenv.cfg",
  "/usr/bin/python3._pth",
  "/usr/bin/python3.12._pth",
  "/usr/bin/pybuilddir.txt",
]);

const kernelPrefixes: readonly string[] = [
  "/lib/",
  "/lib32/",
  "/lib64/",
  "/usr/lib/",
  "/usr/local/lib/",
  "/usr/share/locale/",
  "/usr/local/share/locale/",
  "/proc/",
  "/sys/",
  "/dev/",
  // Upstream hard-codes its CI checkout here (lifecycle spec §9 item 9); kept for parity.
  "/opt/actions-runner/_work/assay/assay/runner-fixtures/openai-agents/node_modules",
];

const userspacePrefixes: readonly string[] = ["/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/share/locale/", "/proc/", "/sys/", "/dev/"];

/** Whether upstream's in-kernel filter (path_filter.rs) drops this open before dedupe, uncounted. */
export function isKernelFilteredPath(path: string): boolean {
  return exactPaths.has(path) || kernelPrefixes.some((prefix) => path.startsWith(prefix));
}

/** Whether upstream's userspace filter (is_loader_telemetry_path) drops this open row, counted. */
export function isLoaderTelemetryPath(path: string): boolean {
  if (exactPaths.has(path) || userspacePrefixes.some((prefix) => path.startsWith(prefix))) return true;
  if (path.includes("/node_modules/")) return true;
  if (!isSharedObject(path)) return false;
  if (path.includes("/.rustup/toolchains/")) return true;
  return path.includes("/target/") && (path.includes("/build/") || path.includes("/debug/") || path.includes("/release/"));
}

/**
 * Which filter rule drops this open, as a label for the per-prefix count: the exact path, the
 * prefix (`/usr/lib/`), the node_modules pattern or a toolchain `.so` pattern; undefined when none does.
 */
export function loaderFilterRule(path: string): string | undefined {
  if (exactPaths.has(path)) return path;
  const prefix = kernelPrefixes.find((p) => path.startsWith(p)) ?? userspacePrefixes.find((p) => path.startsWith(p));
  if (prefix !== undefined) return prefix;
  if (path.includes("/node_modules/")) return "*/node_modules/*";
  if (!isSharedObject(path)) return undefined;
  if (path.includes("/.rustup/toolchains/")) return "*/.rustup/toolchains/*.so";
  if (path.includes("/target/") && (path.includes("/build/") || path.includes("/debug/") || path.includes("/release/")))
    return "*/target/{build,debug,release}/*.so";
  return undefined;
}

/** Whether an open can change a file: write or read-write access, O_CREAT or O_TRUNC. */
export function isWritingOpen(flags: number): boolean {
  return (flags & 3) !== 0 || (flags & O_CREAT) !== 0 || (flags & O_TRUNC) !== 0;
}

/**
 * Character devices whose writes carry no effect worth a row (`2>/dev/null` in every shell
 * script); a write to any other path under a filtered prefix (`/dev/shm/`, `/usr/lib/`) is a row.
 */
export function isQuietCharDevice(path: string): boolean {
  return quietDevices.has(path) || /^\/dev\/pts\/\d+$/.test(path);
}

// --- internal ---

const O_CREAT = 0o100;
const O_TRUNC = 0o1000;

const quietDevices: ReadonlySet<string> = new Set([
  "/dev/null",
  "/dev/zero",
  "/dev/full",
  "/dev/random",
  "/dev/urandom",
  "/dev/tty",
  "/dev/ptmx",
  "/dev/console",
]);

function isSharedObject(path: string): boolean {
  return path.endsWith(".so") || path.includes(".so.");
}
