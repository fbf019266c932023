#!/usr/bin/env bun
// The whole test command: import lanes, format and lint (Biome), type check, compile the binary,
// then `bun test`.
// Extra arguments go to `bun test` (e.g. a path filter).
import { $ } from "bun";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
$.cwd(root);

await step("lane check", () => $`bun scripts/lane-check.ts`);
await step("format and lint", () => $`${join(root, "node_modules/.bin/biome")} ci --colors=off .`);
await step("type check", () => $`bun x tsc --noEmit -p .`);
await step("build", () => $`bun scripts/build.ts`);

// e2e tests spawn the compiled binary on real workloads: one generous bound for every test.
const proc = Bun.spawn([process.execPath, "test", "--timeout=120000", ...process.argv.slice(2)], { cwd: root, stdio: ["inherit", "inherit", "inherit"] });
process.exit(await proc.exited);

async function step(name: string, run: () => ReturnType<typeof $>): Promise<void> {
  const result = await run().nothrow();
  if (result.exitCode !== 0) {
    process.stderr.write(result.stdout);
    process.stderr.write(result.stderr);
    console.error(`test: ${name} failed`);
    process.exit(1);
  }
  console.error(`test: ${name} ok`);
}
