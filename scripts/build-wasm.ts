#!/usr/bin/env bun
// Compiles the projection byte core (AssemblyScript) to src/projection/_wasm/byte-core.wasm, which
// src imports as a file (so `bun build --compile` embeds it). Skips when the .wasm is newer than its
// source and the compiler, unless --force. Run by bootstrap.mjs (so before npm test, demo and build),
// by build.ts, and by the bench scripts in package.json: src imports the .wasm, so it must exist first.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const folder = join(root, "src/projection/_wasm");
const source = join(folder, "byte-core.as.ts");
const outfile = join(root, "src/projection/_wasm/byte-core.wasm");

/** Compiles the byte core unless it is up to date; throws with the compiler's output on failure. */
export async function buildWasm(force = false): Promise<void> {
  const compiler = join(root, "node_modules/assemblyscript/package.json");
  const sources = readdirSync(folder)
    .filter((name) => name.endsWith(".as.ts"))
    .map((name) => join(folder, name));
  if (!force && existsSync(outfile) && [...sources, compiler].every((f) => statSync(f).mtimeMs <= statSync(outfile).mtimeMs)) return;
  // Loaded only when compiling: the compiler takes a while to load.
  const { default: asc } = await import("assemblyscript/asc");
  let log = "";
  const stream = { write: (text: string | Uint8Array) => void (log += typeof text === "string" ? text : new TextDecoder().decode(text)) };
  // stub runtime: the core allocates once and never collects; -O3 without assertions: bounds are the host's job.
  const { error } = await asc.main([source, "--outFile", outfile, "--runtime", "stub", "-O3", "--noAssert", "--enable", "simd"], {
    stdout: stream,
    stderr: stream,
  });
  if (error) throw new Error(`build-wasm: ${error.message}\n${log}`);
  console.error(`build-wasm: compiled ${outfile}`);
}

if (import.meta.main) await buildWasm(process.argv.includes("--force"));
