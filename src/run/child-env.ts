/** Loader variables removed from the workload's environment by `--upstream-env-scrub` (§2.3). */
export const SCRUBBED_ENV_KEYS = ["GCONV_PATH", "LD_AUDIT", "LD_LIBRARY_PATH", "LD_PRELOAD", "LOCPATH"] as const;

/**
 * Builds the workload's environment: the runner's own, exactly, then the spec env on top. With
 * `scrub` (`--upstream-env-scrub`, for parity runs) it is upstream's (§2.3): loader variables
 * removed and `LC_ALL=C`/`LANG=C`, whatever the backend.
 */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  specEnv: Readonly<Record<string, string>>,
  options: { readonly scrub: boolean },
): Record<string, string> {
  const env: Record<string, string> = {};
  // defineProperty: a variable named __proto__ is a variable like any other.
  for (const [key, value] of Object.entries(parent))
    if (value !== undefined) Object.defineProperty(env, key, { value, enumerable: true, writable: true, configurable: true });
  if (options.scrub) {
    // Loader paths injected by toolchains add thousands of varying opens to the kernel layer.
    for (const key of SCRUBBED_ENV_KEYS) delete env[key];
    env.LC_ALL = "C";
    env.LANG = "C";
  }
  return Object.assign(env, specEnv);
}
