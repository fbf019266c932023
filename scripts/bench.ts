#!/usr/bin/env bun
// Runs every bench/*.bench.ts (or those whose name contains an argument), one process each,
// so one subject's garbage and JIT state do not colour another's figures.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const filters = process.argv.slice(2);
const files = readdirSync(join(root, "bench"))
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();
let failed = 0;
for (const name of files) {
  console.log(`\n# ${name}\n`);
  const proc = Bun.spawn([process.execPath, join("bench", name)], { cwd: root, stdio: ["inherit", "inherit", "inherit"] });
  if ((await proc.exited) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
