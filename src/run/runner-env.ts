import { readFileSync } from "node:fs";

/**
 * The runner's environment as it was started: every entry of `/proc/self/environ` in its order
 * (the first of a repeated name wins, as getenv finds it); `process.env` where that file cannot
 * be read or is not UTF-8. Bun's `process.env` moves `TZ` to the end, so a workload given it
 * would not see the environment it was given.
 */
export function readRunnerEnvironment(read: () => Uint8Array = () => readFileSync("/proc/self/environ")): Record<string, string | undefined> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(read());
  } catch {
    return { ...process.env };
  }
  const env: Record<string, string> = {};
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (!Object.hasOwn(env, name)) Object.defineProperty(env, name, { value: entry.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return env;
}
