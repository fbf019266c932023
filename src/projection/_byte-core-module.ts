// Private to projection: the compiled byte core (see _wasm/byte-core.as.ts). The .wasm is built by
// scripts/build-wasm.ts and imported as a file, so `bun build --compile` embeds it in the binary.
import { readFileSync } from "node:fs";
import wasmPath from "./_wasm/byte-core.wasm" with { type: "file" };

/** The functions the byte core exports (pointers are byte offsets into its memory). */
export interface ByteCoreExports {
  readonly memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  configure(config: number): void;
  classifyLine(start: number, end: number): number;
  scan(buf: number, len: number, final: number, rows: number, candidates: number, fallbacks: number, thr: number, thrLen: number): number;
  emit(buf: number, len: number, final: number, out: number, outCap: number, fallbacks: number): number;
  outLength(): number;
  countNewlines(buf: number, len: number): number;
  markRepeats(buf: number, rows: number, n: number, keys: number, spare: number): number;
  lessThan(a: number, aEnd: number, t: number, tLen: number): number;
  lines(): number;
  unmatched(): number;
  candidatesNoted(): number;
  fallbacksNoted(): number;
}

/** A fresh instance of the byte core (each has its own memory); the module is compiled once. */
export function instantiateByteCore(): ByteCoreExports {
  module ??= new WebAssembly.Module(readFileSync(wasmPath));
  return new WebAssembly.Instance(module, { env: { abort: abortCore } }).exports as unknown as ByteCoreExports;
}

// --- internal ---

let module: WebAssembly.Module | undefined;

function abortCore(): never {
  throw new Error("projection byte core aborted");
}
