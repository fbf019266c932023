// Runs under plain Node.js before Bun exists: installs the locked dependencies (Bun among them)
// when they are missing, so `npm run demo` and `npm test` work as the first commands on a fresh clone.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const needed = [
  "node_modules/.bin/bun",
  "node_modules/valibot",
  "node_modules/citty",
  "node_modules/consola",
  "node_modules/mitata",
  "node_modules/assemblyscript",
  "node_modules/.bin/biome",
];
if (!needed.every((p) => existsSync(join(root, p)))) {
  console.error("bootstrap: installing dependencies (npm ci)…");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}
// src imports the projection byte core's .wasm, compiled from AssemblyScript (skipped when up to date).
execFileSync(join(root, "node_modules/.bin/bun"), ["scripts/build-wasm.ts"], { cwd: root, stdio: "inherit" });
