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

// --- internal ---

function isSharedObject(path: string): boolean {
  return path.endsWith(".so") || path.includes(".so.");
}
