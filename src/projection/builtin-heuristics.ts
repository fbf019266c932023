import type { HeuristicPathClass } from "../schema/index.ts";

/** One built-in heuristic: a glob (see `globToRegExp`), the class it assigns and its rule name. */
export interface BuiltinHeuristic {
  readonly pattern: string;
  readonly class: HeuristicPathClass;
  readonly rule: string;
}

/**
 * The built-in heuristic rule set, in precedence order (the first matching glob wins): provider
 * SDK package trees before the generic package trees that contain them, caches before packages
 * (a package inside a cache is cache churn), then loader, libc and interpreter files, then harness plumbing.
 */
export const BUILTIN_HEURISTICS: readonly BuiltinHeuristic[] = [
  // provider_sdk: provider client libraries inside package trees
  ...sdk("node_modules", [
    "openai",
    "@openai",
    "@anthropic-ai",
    "@google/genai",
    "@google/generative-ai",
    "@mistralai",
    "cohere-ai",
    "@aws-sdk/client-bedrock-runtime",
  ]),
  ...sdk("site-packages", ["openai", "anthropic", "google/genai", "google/generativeai", "mistralai", "cohere", "agents"]),
  ...sdk("dist-packages", ["openai", "anthropic", "google/genai", "google/generativeai", "mistralai", "cohere", "agents"]),
  // cache: package manager, runtime and tool caches
  h("**/.cache/**", "cache", "heuristic_cache_xdg"),
  h("**/.npm/**", "cache", "heuristic_cache_npm"),
  h("**/.pnpm-store/**", "cache", "heuristic_cache_pnpm"),
  h("**/.yarn/cache/**", "cache", "heuristic_cache_yarn"),
  h("**/.bun/install/cache/**", "cache", "heuristic_cache_bun"),
  h("**/__pycache__/**", "cache", "heuristic_cache_pycache"),
  h("**/.cargo/registry/**", "cache", "heuristic_cache_cargo"),
  h("**/.cargo/git/**", "cache", "heuristic_cache_cargo"),
  h("**/go/pkg/mod/**", "cache", "heuristic_cache_go_modules"),
  h("**/.m2/repository/**", "cache", "heuristic_cache_maven"),
  h("**/.gradle/caches/**", "cache", "heuristic_cache_gradle"),
  h("/var/cache/**", "cache", "heuristic_cache_system"),
  // runtime_package: language package trees
  h("**/node_modules/**", "runtime_package", "heuristic_runtime_package_node_modules"),
  h("**/site-packages/**", "runtime_package", "heuristic_runtime_package_python"),
  h("**/dist-packages/**", "runtime_package", "heuristic_runtime_package_python"),
  h("**/vendor/bundle/**", "runtime_package", "heuristic_runtime_package_ruby"),
  // loader: dynamic loader and its configuration, libc and system libraries
  h("/etc/ld.so.cache", "loader", "heuristic_loader_dynamic_loader"),
  h("/etc/ld.so.preload", "loader", "heuristic_loader_dynamic_loader"),
  h("/etc/ld.so.conf", "loader", "heuristic_loader_dynamic_loader"),
  h("/etc/ld.so.conf.d/**", "loader", "heuristic_loader_dynamic_loader"),
  h("**/ld-linux-x86-64.so.2", "loader", "heuristic_loader_dynamic_loader"),
  h("**/ld-linux-aarch64.so.1", "loader", "heuristic_loader_dynamic_loader"),
  h("**/libc.so.6", "loader", "heuristic_loader_libc"),
  h("/lib/x86_64-linux-gnu/**", "loader", "heuristic_loader_system_libraries"),
  h("/usr/lib/x86_64-linux-gnu/**", "loader", "heuristic_loader_system_libraries"),
  h("/lib/aarch64-linux-gnu/**", "loader", "heuristic_loader_system_libraries"),
  h("/usr/lib/aarch64-linux-gnu/**", "loader", "heuristic_loader_system_libraries"),
  h("/lib64/**", "loader", "heuristic_loader_system_libraries"),
  h("/usr/lib64/**", "loader", "heuristic_loader_system_libraries"),
  // loader: libc name-service and resolver configuration
  ...["nsswitch.conf", "host.conf", "hosts", "resolv.conf", "gai.conf", "svc.conf", "netsvc.conf"].map((name) =>
    h(`/etc/${name}`, "loader", "heuristic_loader_libc_resolver_config"),
  ),
  // loader: locale and time zone data
  h("/usr/lib/locale/**", "loader", "heuristic_loader_locale"),
  h("/usr/share/locale/**", "loader", "heuristic_loader_locale"),
  h("/usr/share/i18n/**", "loader", "heuristic_loader_locale"),
  h("/usr/share/zoneinfo/**", "loader", "heuristic_loader_timezone"),
  h("/etc/localtime", "loader", "heuristic_loader_timezone"),
  h("/etc/timezone", "loader", "heuristic_loader_timezone"),
  // loader: interpreter bootstrap (binaries, standard library, virtual environment marker)
  h("/usr/bin/python3*", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/local/bin/python3*", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/lib/python3*/**", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/local/lib/python3*/**", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("**/pyvenv.cfg", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/bin/node", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/local/bin/node", "loader", "heuristic_loader_interpreter_bootstrap"),
  h("/usr/bin/bun", "loader", "heuristic_loader_interpreter_bootstrap"),
  // experiment_harness: CI runner plumbing and the runner's own side files
  h("**/_work/_temp/**", "experiment_harness", "heuristic_harness_ci_runner"),
  h("**/_work/_actions/**", "experiment_harness", "heuristic_harness_ci_runner"),
  h("**/actions-runner/_diag/**", "experiment_harness", "heuristic_harness_ci_runner"),
  h("**/sdk-events.ndjson", "experiment_harness", "heuristic_harness_runner_files"),
  h("**/tool-calls.ndjson", "experiment_harness", "heuristic_harness_runner_files"),
  h("**/run-meta.json", "experiment_harness", "heuristic_harness_runner_files"),
];

// --- internal ---

function h(pattern: string, cls: HeuristicPathClass, rule: string): BuiltinHeuristic {
  return { pattern, class: cls, rule };
}

function sdk(tree: string, packages: readonly string[]): BuiltinHeuristic[] {
  const rule = tree === "node_modules" ? "heuristic_provider_sdk_node" : "heuristic_provider_sdk_python";
  return packages.map((pkg) => h(`**/${tree}/${pkg}/**`, "provider_sdk", rule));
}
