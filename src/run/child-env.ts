/** Loader variables removed from the workload's environment when the kernel is captured (§2.3). */
export const SCRUBBED_ENV_KEYS = ["GCONV_PATH", "LD_AUDIT", "LD_LIBRARY_PATH", "LD_PRELOAD", "LOCPATH"] as const;

/**
 * Builds the workload's environment (§2.3): the runner's own, then — only when the kernel is
 * captured — without loader variables and with `LC_ALL=C`/`LANG=C`, then the spec env on top.
 */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  specEnv: Readonly<Record<string, string>>,
  options: { readonly scrub: boolean },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) if (value !== undefined) env[key] = value;
  if (options.scrub) {
    // Loader paths injected by toolchains add thousands of varying opens to the kernel layer.
    for (const key of SCRUBBED_ENV_KEYS) delete env[key];
    env.LC_ALL = "C";
    env.LANG = "C";
  }
  return Object.assign(env, specEnv);
}
