// Start-up budget (issue 19): `--version`, `--help` and the commands that read one small file
// (verify, validate, inspect on real upstream data), each as a ratio against a hello-world compiled
// in this run with the binary's own flags; see _startup.ts for how the rounds are taken.
// Goals: `--version` ≤ 1.3× the floor, `verify` of an upstream archive ≤ 2.0×.
// Builds dist/assay-runner first (skipped when fresh) unless ASSAY_EXE names a binary;
// ASSAY_EXE_BEFORE adds another build's figures in the same rounds; ASSAY_BENCH_ROUNDS (default 60).
import { binaryUnderTest, compileFloor, measureStartup, renderStartup, startupCases } from "./_startup.ts";

const rounds = Number(process.env.ASSAY_BENCH_ROUNDS ?? 60);
const before = process.env.ASSAY_EXE_BEFORE;
const exe = binaryUnderTest();

using floor = compileFloor();
const cases = [...startupCases(exe), ...(before === undefined ? [] : startupCases(before, " (before)"))];
const result = measureStartup(floor.exe, cases, rounds);
console.log(`\nstart-up against a hello-world compiled with the same flags, ${rounds} interleaved rounds (wall time unless said)\n`);
for (const line of renderStartup(result)) console.log(line);
