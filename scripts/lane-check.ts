#!/usr/bin/env bun
// Enforces the import arrows of ARCHITECTURE.md: which src folder may import which, only through
// a folder's index.ts, and which packages each may use.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Folders each src folder may import (besides itself). */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  schema: [],
  evidence: ["schema"],
  projection: ["schema"],
  compare: ["schema", "evidence", "projection"],
  linux: [],
  bpf: [],
  capture: ["schema", "linux", "bpf"],
  run: ["schema", "evidence", "linux", "capture"],
  cli: ["schema", "evidence", "projection", "compare", "linux", "capture", "run", "bpf"],
  "main.ts": ["cli"],
};

/** A forbidden import found in a source file. */
export interface LaneViolation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly reason: string;
}

/** Checks every file of a source tree (path relative to src → contents) against the lanes. */
export function checkLanes(files: ReadonlyMap<string, string>): LaneViolation[] {
  const violations: LaneViolation[] = [];
  for (const [file, source] of files) {
    const lane = laneOf(file);
    source.split("\n").forEach((text, index) => {
      for (const specifier of importsOn(text)) {
        const reason = judge(file, lane, specifier);
        if (reason) violations.push({ file, line: index + 1, specifier, reason });
      }
    });
  }
  return violations;
}

// --- internal ---

const cliOnlyPackages = new Set(["citty", "consola"]);

function laneOf(file: string): string {
  return file.includes("/") ? (file.split("/")[0] ?? file) : file;
}

function importsOn(line: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^\s*import\b[^"'`]*?(?:from\s*)?|^\s*export\b[^"'`]*?\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g;
  for (const match of line.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return found;
}

function judge(file: string, lane: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) {
    const pkg = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? "");
    if (lane === "schema" && pkg !== "valibot") return "schema imports only valibot";
    if (cliOnlyPackages.has(pkg) && lane !== "cli" && lane !== "main.ts") return `${pkg} is for src/cli only`;
    return undefined;
  }
  const target = relative(".", join(dirname(file), specifier)).split(sep).join("/");
  if (target.startsWith("..")) return lane === "main.ts" && target === "../package.json" ? undefined : "import leaves src";
  if (target === "package.json" || target === "../package.json") return undefined;
  const targetLane = laneOf(target);
  if (targetLane === lane) return undefined;
  if (!(allowedImports[lane] ?? []).includes(targetLane)) return `${lane} may not import ${targetLane}`;
  if (target !== `${targetLane}/index.ts` && lane !== "main.ts") return `import ${targetLane} through ${targetLane}/index.ts`;
  return undefined;
}

function readTree(dir: string, base = dir, files = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readTree(path, base, files);
    else if (entry.name.endsWith(".ts")) files.set(relative(base, path).split(sep).join("/"), readFileSync(path, "utf8"));
  }
  return files;
}

if (import.meta.main) {
  const src = resolve(import.meta.dir, "../src");
  const violations = checkLanes(readTree(src));
  for (const v of violations) console.error(`src/${v.file}:${v.line}: "${v.specifier}": ${v.reason}`);
  if (violations.length > 0) {
    console.error(`lane-check: ${violations.length} forbidden import(s)`);
    process.exit(1);
  }
  console.error("lane-check: import boundaries hold");
}
