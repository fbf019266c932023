// The `bun build` flags of the shipped binary, in one place: scripts/build.ts compiles with them,
// and the start-up bench compiles its hello-world floor with them, so the two differ only in code.

/**
 * Flags of `bun build` for the standalone executable. Bytecode halves start-up CPU (parsing is
 * most of a short command's cost). Splitting puts each command's modules in chunks of their own:
 * in one file, every `import … from "node:zlib"` (or net, crypto, fs …) of the whole program is
 * hoisted to the top and loaded by every command, `--version` included (~7 ms). package.json's
 * `"sideEffects": false` lets the bundler leave out of a command's chunks the modules of a barrel
 * (`schema/index.ts`, `evidence/index.ts`) whose exports that command does not use: no module of
 * ours does anything at import that another needs.
 */
export const COMPILE_FLAGS: readonly string[] = ["--compile", "--splitting", "--minify", "--bytecode", "--format=esm", "--sourcemap=none"];
