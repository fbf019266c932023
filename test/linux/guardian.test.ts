import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pollUntil, readUntil, repoRoot, skipReason, tempDir } from "../harness.ts";

const cannot = skipReason(process.platform !== "linux", "the guardian is a /bin/sh watchdog on Linux");

// A stand-in runner: starts a guardian, gives it a scratch directory, its partial archives and a
// helper process, prints the helper's pid, then either waits to be killed or releases the guardian.
const RUNNER = `
import { writeFileSync } from "node:fs";
import { RunGuardian } from ${JSON.stringify(join(repoRoot, "src/linux/index.ts"))};
const [scratch, out, marker, mode] = process.argv.slice(2);
const guardian = RunGuardian.start();
guardian.guardDirectory(scratch);
writeFileSync(out + "/.a.tar.gz." + process.pid + "-k2x.partial", "partial");
guardian.guardPartialFiles(out, ".a.tar.gz." + process.pid + "-");
const helper = Bun.spawn(["sleep", marker], { stdio: ["ignore", "ignore", "ignore"] });
guardian.guardProcess(helper.pid, "sleep");
if (mode === "release") {
  await guardian.release();
  console.log(helper.pid + " " + guardian.pid);
  process.exit(0);
}
console.log(helper.pid);
await Bun.sleep(600_000);
`;

async function startRunner(dir: string, mode: "die" | "release") {
  const scratch = join(dir, "scratch");
  const out = join(dir, "out");
  Bun.spawnSync(["mkdir", "-p", join(scratch, "spool"), out]);
  await Bun.write(join(scratch, "spool", "member"), "bytes");
  // Another run's partial archive (pid 1 is never a runner): the guardian must leave it.
  await Bun.write(join(out, ".a.tar.gz.1-zz.partial"), "not ours");
  await Bun.write(join(dir, "runner.ts"), RUNNER);
  const marker = `7${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const proc = Bun.spawn([process.execPath, join(dir, "runner.ts"), scratch, out, marker, mode], { stdout: "pipe", stderr: "inherit" });
  const text = await readUntil(proc.stdout, "\n");
  const [helperPid, guardianPid] = text.trim().split(" ").map(Number);
  return { proc, scratch, out, helperPid: helperPid!, guardianPid };
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep";
  } catch {
    return false;
  }
}

describe("RunGuardian", () => {
  test.skipIf(cannot)(
    "cleans up after a runner killed with SIGKILL: helper stopped, scratch and its own partial archive removed",
    async () => {
      using dir = tempDir("guardian-die");
      const { proc, scratch, out, helperPid } = await startRunner(dir.path, "die");
      // The pid is printed as soon as the helper is forked; on a loaded host it may not have exec'd sleep yet.
      const before = { helper: await pollUntil(() => alive(helperPid), Boolean, 5_000), scratch: existsSync(scratch), out: readdirSync(out).length };
      proc.kill("SIGKILL");
      await proc.exited;
      const state = () => ({ helper: alive(helperPid), scratch: existsSync(scratch), out: readdirSync(out).sort() });
      const after = await pollUntil(state, (now) => !now.helper && !now.scratch && now.out.length === 1, 10_000);
      expect({ before, after }).toEqual({
        before: { helper: true, scratch: true, out: 2 },
        after: { helper: false, scratch: false, out: [".a.tar.gz.1-zz.partial"] },
      });
    },
    20_000,
  );

  test.skipIf(cannot)(
    "does nothing once released: the runner finished and cleans up itself",
    async () => {
      using dir = tempDir("guardian-release");
      const { proc, scratch, out, helperPid, guardianPid } = await startRunner(dir.path, "release");
      expect(await proc.exited).toBe(0);
      // Wait (bounded) for the guardian to exit: had it taken the exit for a death, it would have cleaned up first.
      await pollUntil(
        () => existsSync(`/proc/${guardianPid}`),
        (running) => !running,
        10_000,
      );
      const after = { helper: alive(helperPid), scratch: existsSync(join(scratch, "spool", "member")), out: readdirSync(out).length };
      process.kill(helperPid, "SIGKILL");
      expect({ guardianExited: !existsSync(`/proc/${guardianPid}`), ...after }).toEqual({ guardianExited: true, helper: true, scratch: true, out: 2 });
    },
    20_000,
  );
});
