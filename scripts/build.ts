#!/usr/bin/env bun
// Compiles src/main.ts into the standalone executable dist/assay-runner, with the projection
// worker as a second entrypoint (a worker in a compiled binary must be bundled as one) and the
// byte core's .wasm (compiled first from AssemblyScript) embedded through its file import.
// The flags are in compile-flags.ts (the start-up bench compiles its floor with the same ones).
// Skips the compile when the binary is newer than every source file, unless --force.
import { $ } from "bun";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildWasm } from "./build-wasm.ts";
import { COMPILE_FLAGS } from "./compile-flags.ts";

const root = resolve(import.meta.dir, "..");
const outfile = join(root, "dist", "assay-runner");
const force = process.argv.includes("--force");
const target = process.argv.find((a) => a.startsWith("--target="))?.slice("--target=".length);

await buildWasm(force);

if (!force && !target && isFresh()) {
  console.error(`build: ${outfile} is up to date`);
} else {
  const targetArgs = target ? [`--target=${target}`] : [];
  // Compile beside the target, then rename: a binary another process is running is never half-written.
  const partial = `${outfile}.${process.pid}.partial`;
  try {
    await $`bun build ${COMPILE_FLAGS} ${targetArgs} ${join(root, "src/main.ts")} ${join(root, "src/cli/_project-worker.ts")} ${join(root, "src/cli/_review-worker.ts")} --outfile ${partial}`.quiet();
    renameSync(partial, outfile);
  } finally {
    rmSync(partial, { force: true });
  }
  console.error(`build: compiled ${outfile}${target ? ` for ${target}` : ""}`);
}

function isFresh(): boolean {
  if (!existsSync(outfile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = [
    join(root, "package.json"),
    join(root, "bun.lock"),
    join(root, "package-lock.json"),
    join(root, "scripts/compile-flags.ts"),
    ...walk(join(root, "src")),
  ];
  return inputs.every((file) => !existsSync(file) || statSync(file).mtimeMs <= built);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}
