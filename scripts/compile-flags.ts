// The `bun build` flags of the shipped binary, in one place: scripts/build.ts compiles with them,
// and the start-up bench compiles its hello-world floor with them, so the two differ only in code.

/**
 * Flags of `bun build` for the standalone executable. Bytecode halves start-up CPU (parsing is
 * most of a short command's cost).
 */
export const COMPILE_FLAGS: readonly string[] = ["--compile", "--minify", "--bytecode", "--format=esm", "--sourcemap=none"];
