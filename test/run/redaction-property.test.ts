// Issue 14 item 2: secrets planted in every string field of every member never reach the archive
// or the run's scratch directory (members are redacted as they are produced, not rewritten later).
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as v from "valibot";
import { EVENT_UNIX_CONNECT, type KernelRecord } from "../../src/capture/index.ts";
import { verifyArchive } from "../../src/evidence/index.ts";
import { buildRunSpec, executeRun, RunOptionsSchema } from "../../src/run/index.ts";
import { host, skipReason, tempDir } from "../harness.ts";
import { plantedRunIo } from "./_planted-backend.ts";

const noSession = skipReason(!host.hasCgroup2, "the planted-secret property runs whole runs in a session: it needs root and a writable cgroup v2 mount");

const core = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/);
const upper = fc.stringMatching(/^[0-9A-Z]{16}$/);

/** A secret as it appears in text, and the bytes that must never be found (the part a rule redacts). */
interface Planted {
  readonly text: string;
  readonly needle: string;
}

// The shapes of issue 14: URL userinfo, and the credential shapes of the rules file.
const secret: fc.Arbitrary<Planted> = fc.oneof(
  core.map((pw) => ({ text: `postgres://admin:${pw}@db.internal/app`, needle: pw })),
  core.map((pw) => ({ text: `https://user:${pw}@example.com/x`, needle: pw })),
  core.map((pw) => ({ text: `password=${pw}`, needle: pw })),
  fc
    .tuple(core, core)
    .map(([a, b]) => ({ text: `ghp_${`${a}${b}${a}${b}`.slice(0, 36).padEnd(36, "x")}`, needle: `${a}${b}${a}${b}`.slice(0, 36).padEnd(36, "x") })),
  upper.map((id) => ({ text: `AKIA${id}`, needle: `AKIA${id}` })),
  core.map((pw) => ({ text: `Bearer ${pw}${pw}`, needle: `${pw}${pw}` })),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("redaction of a whole run", () => {
  test.skipIf(noSession)(
    "a secret planted in argv, SDK and policy fields, kernel paths, endpoints, execs and notes is in neither the archive nor the scratch directory",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(secret, { minLength: 13, maxLength: 13 }), async (s) => {
          using dir = tempDir("planted");
          const runId = "run_planted";
          const sdkLog = join(dir.path, "sdk.ndjson");
          const policyLog = join(dir.path, "policy.ndjson");
          const sdk = (seq: number, type: string) =>
            JSON.stringify({
              schema: "assay.runner.sdk_event.v0",
              run_id: runId,
              seq,
              event_type: type,
              source: `src ${s[0]?.text}`,
              sdk_name: `n ${s[1]?.text}`,
              sdk_version: `v ${s[2]?.text}`,
              tool_call_id: `tc ${s[3]?.text}`,
              tool: `fetch ${s[4]?.text}`,
            });
          writeFileSync(sdkLog, `${sdk(0, "tool_call_started")}\n${sdk(1, "tool_call_completed")}\n`);
          writeFileSync(
            policyLog,
            `${JSON.stringify({ type: "assay.tool.decision", source: `assay://x ${s[5]?.text}`, data: { tool: `fetch ${s[4]?.text}`, tool_call_id: `tc ${s[3]?.text}`, decision: `allow ${s[6]?.text}` } })}\n`,
          );
          const records: KernelRecord[] = [
            { pid: 10, eventType: 1, value: `/work/${s[7]?.text}/out.txt`, flags: 0o1101, mode: 0o644, returnValue: 3 },
            { pid: 10, eventType: 1, value: `/work/in ${s[8]?.text}`, flags: 0, mode: 0, returnValue: 3 },
            { pid: 10, eventType: 2, value: `${s[9]?.text}:443` },
            {
              pid: 11,
              eventType: 4,
              value: `/opt/${s[10]?.text}/systemd-run`,
              argv: ["systemd-run", "--token", s[1]?.text ?? "", `--unit=${s[2]?.text}`, s[3]?.text ?? ""],
            },
            { pid: 11, eventType: EVENT_UNIX_CONNECT, value: `/run/${s[11]?.text}/docker.sock` },
          ];
          const built = buildRunSpec(
            v.parse(RunOptionsSchema, {
              command: ["/bin/true", s[12]?.text ?? "", "--token", s[0]?.text ?? ""],
              capture: "auto",
              output: join(dir.path, "a.tar.gz"),
              "agent-shim": "openai-agents",
              "sdk-event-log": sdkLog,
              "policy-decision-log": policyLog,
              "redaction-key": "ephemeral",
              "run-id": runId,
            }),
            () => runId,
          );
          if (!built.ok) throw new Error(built.message);
          const scratchFiles: Array<[string, string]> = [];
          const result = await executeRun(
            built.spec,
            plantedRunIo(records, {
              inspectScratch: (scratch) => {
                for (const file of filesUnder(scratch)) scratchFiles.push([file, readFileSync(file, "latin1")]);
              },
            }),
          );
          const tar = gunzipSync(readFileSync(result.archivePath)).toString("latin1");
          const verified = await verifyArchive(result.archivePath);
          const needles = s.map((planted) => planted.needle);
          expect({
            exitCode: result.exitCode,
            verify: verified.issues,
            inArchive: needles.filter((needle) => tar.includes(needle)),
            inScratch: scratchFiles.flatMap(([file, text]) => needles.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`)),
            // Every field got its placeholder: the kernel, SDK and policy rows and the handoff note are in the archive.
            handoffNoted: tar.includes("daemon_handoff: exec:/opt/"),
          }).toEqual({ exitCode: 0, verify: [], inArchive: [], inScratch: [], handoffNoted: true });
        }),
        { numRuns: 12 },
      );
    },
  );
});
