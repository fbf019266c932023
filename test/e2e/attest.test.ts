import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chooseBackend } from "../../src/capture/index.ts";
import { findExecutable } from "../../src/linux/index.ts";
import { host, runAssay, skipReason, tempDir, upstreamFixtures } from "../harness.ts";
import { writeKernelArchive, type Observation } from "../attest/_kernel-archive.ts";

const openssl = findExecutable("openssl");
const noOpenssl = skipReason(openssl === undefined, "signed-attestation e2e tests need openssl on PATH (it makes the keys)");
const kernel = await chooseBackend("auto");
const noMeasuredRun = skipReason(
  !host.hasBinary || !host.hasCgroup2 || !kernel.ok || kernel.backend.name === "none",
  "attesting a measured run needs the binary, root with cgroup v2 and a kernel capture backend",
);
const upstreamArchive = join(upstreamFixtures, "archives/run_arm_a-openai_20260525T113813Z_1/archive.tar.gz");
// Blank GITHUB_* reads as unset, so the statement does not depend on where the tests run.
const NO_GITHUB = { GITHUB_SERVER_URL: "", GITHUB_REPOSITORY: "", GITHUB_RUN_ID: "", GITHUB_RUN_ATTEMPT: "" };

const OBSERVATIONS: Observation[] = [
  { kind: "exec", path: "/usr/bin/git" },
  { kind: "open", path: "/etc/hosts" },
  { kind: "open", path: "/srv/out/report.json", write: true },
  { kind: "connect", endpoint: "140.82.112.3:443" },
  { kind: "sendto", endpoint: "[2001:db8::53]:53" },
];

describe("assay-runner attest", () => {
  test("writes the same statement bytes twice for the same archive, and verify-attestation accepts it", async () => {
    using dir = tempDir("attest-e2e");
    const archive = await writeKernelArchive(dir.path, OBSERVATIONS);
    const first = await runAssay(["attest", archive, "-o", join(dir.path, "one.json")], { env: NO_GITHUB });
    const second = await runAssay(["attest", archive, "-o", join(dir.path, "two.json")], { env: NO_GITHUB });
    const bytes = readFileSync(join(dir.path, "one.json"));
    expect({ first, second: second.exitCode }).toEqual({
      first: {
        stdout: "",
        stderr: `[success] ${join(dir.path, "one.json")}: statement for run_attest.tar.gz (run run_attest, ${bytes.length - 1} bytes)\n`,
        exitCode: 0,
      },
      second: 0,
    });
    expect(readFileSync(join(dir.path, "two.json")).equals(bytes)).toBe(true);
    const checked = await runAssay(["verify-attestation", join(dir.path, "one.json"), "--archive", archive, "--json"]);
    const report = JSON.parse(checked.stdout);
    expect({
      exitCode: checked.exitCode,
      ok: report.ok,
      kind: report.kind,
      signature: report.signature,
      checks: report.checks.map((c: { check: string; ok: boolean }) => `${c.check}:${c.ok}`),
    }).toEqual({
      exitCode: 0,
      ok: true,
      kind: "statement",
      signature: "unsigned",
      checks: ["statement:true", "subject:true", "archive:true", "surface:true", "predicate:true"],
    });
  });

  test("names the GitHub run attempt from GITHUB_* and writes the predicate alone for actions/attest", async () => {
    using dir = tempDir("attest-e2e");
    const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "99", GITHUB_RUN_ATTEMPT: "3" };
    const outcome = await runAssay(["attest", upstreamArchive, "--predicate-version", "0.2", "--predicate-out", join(dir.path, "predicate.json")], { env });
    const statement = JSON.parse(outcome.stdout);
    expect({ exitCode: outcome.exitCode, predicateType: statement.predicateType, monitoredProcess: statement.predicate.monitoredProcess }).toEqual({
      exitCode: 0,
      predicateType: "https://in-toto.io/attestation/runtime-trace/v0.2",
      monitoredProcess: {
        hostID: "https://github.com",
        type: "https://actions.github.io/buildtypes/workflow/v1",
        event: "https://github.com/acme/app/actions/runs/99/attempts/3",
      },
    });
    expect(JSON.parse(readFileSync(join(dir.path, "predicate.json"), "utf8"))).toEqual(statement.predicate);
  });

  test("refuses an archive that does not verify with exit 2 and writes nothing", async () => {
    using dir = tempDir("attest-e2e");
    const archive = await writeKernelArchive(dir.path, OBSERVATIONS);
    flipByte(archive, -9);
    const outcome = await runAssay(["attest", archive, "-o", join(dir.path, "statement.json")]);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toContain(`${archive}: the archive does not verify, so it is not attested`);
    expect(existsSync(join(dir.path, "statement.json"))).toBe(false);
  });

  test("refuses an unreadable signing key with exit 2 before reading the archive", async () => {
    using dir = tempDir("attest-e2e", { "bad.pem": "not a key\n" });
    const outcome = await runAssay(["attest", upstreamArchive, "-o", join(dir.path, "envelope.json"), "--sign-key", join(dir.path, "bad.pem")]);
    expect({ exitCode: outcome.exitCode, stdout: outcome.stdout, written: existsSync(join(dir.path, "envelope.json")) }).toEqual({
      exitCode: 2,
      stdout: "",
      written: false,
    });
    expect(outcome.stderr).toStartWith(`[error] ${join(dir.path, "bad.pem")}: expected a PEM private key (Ed25519 or ECDSA P-256)`);
  });
});

describe.each(["ed25519", "ec"] as const)("assay-runner verify-attestation, %s envelope", (algorithm) => {
  test.skipIf(noOpenssl)(
    "accepts the envelope with its public key and exits 1 for one changed byte in the archive, the statement or the signature",
    async () => {
      using dir = tempDir("attest-e2e");
      const keys = makeKeys(dir.path, algorithm);
      const archive = await writeKernelArchive(dir.path, OBSERVATIONS);
      const envelopeFile = join(dir.path, "envelope.json");
      const signed = await runAssay(["attest", archive, "-o", envelopeFile, "--sign-key", keys.privateFile]);
      expect(signed.exitCode).toBe(0);
      const check = (file: string, archivePath = archive) => runAssay(["verify-attestation", file, "--archive", archivePath, "--key", keys.publicFile]);
      const good = await check(envelopeFile);
      expect({ exitCode: good.exitCode, last: good.stderr.trim().split("\n").at(-1) }).toEqual({
        exitCode: 0,
        last: `[success] ${envelopeFile}: matches ${archive} (envelope, signature verified)`,
      });

      // One byte of the archive.
      const tamperedArchive = join(dir.path, "tampered.tar.gz");
      copyFileSync(archive, tamperedArchive);
      flipByte(tamperedArchive, -9);
      const archiveOutcome = await check(envelopeFile, tamperedArchive);
      expect(archiveOutcome.exitCode).toBe(1);
      expect(archiveOutcome.stderr).toContain("[error] subject: no subject has the archive's digest");

      // One byte of the statement inside the envelope (a path character), re-encoded.
      const envelope = JSON.parse(readFileSync(envelopeFile, "utf8"));
      const payload = Buffer.from(envelope.payload, "base64");
      const at = payload.indexOf("report.json");
      payload[at] = "R".charCodeAt(0);
      writeFileSync(join(dir.path, "statement-tampered.json"), JSON.stringify({ ...envelope, payload: payload.toString("base64") }));
      const statementOutcome = await check(join(dir.path, "statement-tampered.json"));
      expect(statementOutcome.exitCode).toBe(1);
      expect(statementOutcome.stderr).toContain("[error] signature: no signature verifies");
      expect(statementOutcome.stderr).toContain("[error] predicate: predicate.monitorLog differs from what the archive gives");

      // One byte of the signature.
      const sig = Buffer.from(envelope.signatures[0].sig, "base64");
      sig[sig.length - 1]! ^= 0x01;
      writeFileSync(
        join(dir.path, "sig-tampered.json"),
        JSON.stringify({ ...envelope, signatures: [{ ...envelope.signatures[0], sig: sig.toString("base64") }] }),
      );
      const sigOutcome = await check(join(dir.path, "sig-tampered.json"));
      expect(sigOutcome.exitCode).toBe(1);
      expect(sigOutcome.stderr).toContain("[error] signature: no signature verifies");
    },
  );
});

describe("assay-runner attest on a measured run", () => {
  test.skipIf(noMeasuredRun)("names the backend that measured, the written file with write access, and the execs", async () => {
    using dir = tempDir("attest-e2e");
    const archive = join(dir.path, "live.tar.gz");
    const written = join(dir.path, "out.txt");
    const run = await runAssay([
      "run",
      "--run-id",
      "run_attest_live",
      "-o",
      archive,
      "--kill-grace",
      "200ms",
      "--",
      "sh",
      "-c",
      `cat /etc/hostname > ${written}`,
    ]);
    expect(run.exitCode).toBe(0);
    const outcome = await runAssay(["attest", archive], { env: NO_GITHUB });
    const predicate = JSON.parse(outcome.stdout).predicate;
    const file = predicate.monitorLog.fileAccess.find((entry: { uri: string }) => entry.uri === `file://${written}`);
    expect({
      exitCode: outcome.exitCode,
      backend: predicate.monitor.tracePolicy.captureBackend,
      hooksSource: predicate.monitor.tracePolicy.hooksSource,
      access: file?.annotations.access,
      execs: predicate.monitorLog.process.map((entry: { processBinary: string }) => entry.processBinary.split("/").at(-1)),
      complete: predicate.assayRunnerObservation.complete,
    }).toEqual({
      exitCode: 0,
      backend: kernel.ok ? kernel.backend.name : "?",
      hooksSource: "capture_backend_note",
      access: ["write"],
      execs: ["sh", "cat"],
      complete: true,
    });
    writeFileSync(join(dir.path, "statement.json"), outcome.stdout);
    expect((await runAssay(["verify-attestation", join(dir.path, "statement.json"), "--archive", archive])).exitCode).toBe(0);
  });
});

describe("assay-runner verify-attestation", () => {
  test("exits 1 for one changed byte in an unsigned statement", async () => {
    using dir = tempDir("attest-e2e");
    const archive = await writeKernelArchive(dir.path, OBSERVATIONS);
    const file = join(dir.path, "statement.json");
    expect((await runAssay(["attest", archive, "-o", file], { env: NO_GITHUB })).exitCode).toBe(0);
    const text = readFileSync(file, "utf8");
    // "count":1 of an endpoint becomes "count":2.
    const at = text.indexOf('"count":1');
    writeFileSync(file, `${text.slice(0, at)}"count":2${text.slice(at + 9)}`);
    const outcome = await runAssay(["verify-attestation", file, "--archive", archive]);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain(
      "[error] predicate: predicate.monitorLog differs from what the archive gives (at .network.0.assayRunner.count: statement has 2, archive gives 1)",
    );
    // A count the surface pins: one path fewer observed.
    const counted = readFileSync(file, "utf8").replace('"fileAccess":{"observed":2,', '"fileAccess":{"observed":1,');
    writeFileSync(file, counted);
    const surface = await runAssay(["verify-attestation", file, "--archive", archive]);
    expect(surface.exitCode).toBe(1);
    expect(surface.stderr).toContain("[error] surface: monitorLog counts differ from the capability surface: fileAccess observed 1, filesystem_paths has 2");
  });

  test.skipIf(noOpenssl)(
    "accepts a Sigstore bundle v0.3 wrapping our envelope: checked with --key, or with its own certificate (identity left to gh attestation verify)",
    async () => {
      using dir = tempDir("attest-e2e");
      const keys = makeKeys(dir.path, "ec");
      const certFile = join(dir.path, "cert.pem");
      const made = Bun.spawnSync([openssl!, "req", "-new", "-x509", "-key", keys.privateFile, "-subj", "/CN=assay-test", "-days", "1", "-out", certFile]);
      expect(made.exitCode).toBe(0);
      const envelopeFile = join(dir.path, "envelope.json");
      expect((await runAssay(["attest", upstreamArchive, "-o", envelopeFile, "--sign-key", keys.privateFile])).exitCode).toBe(0);
      const envelope = JSON.parse(readFileSync(envelopeFile, "utf8"));
      const der = Buffer.from(readFileSync(certFile, "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64").toString("base64");
      const bundle = (material: Record<string, unknown>, env = envelope) => ({
        mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
        verificationMaterial: { ...material, tlogEntries: [] },
        dsseEnvelope: env,
      });
      writeFileSync(join(dir.path, "key-bundle.json"), JSON.stringify(bundle({ publicKey: { hint: envelope.signatures[0].keyid } })));
      writeFileSync(join(dir.path, "cert-bundle.json"), JSON.stringify(bundle({ certificate: { rawBytes: der } })));
      const withKey = await runAssay(["verify-attestation", join(dir.path, "key-bundle.json"), "--archive", upstreamArchive, "--key", keys.publicFile]);
      const withCert = await runAssay(["verify-attestation", join(dir.path, "cert-bundle.json"), "--archive", upstreamArchive, "--json"]);
      const certReport = JSON.parse(withCert.stdout);
      expect({
        key: withKey.exitCode,
        cert: withCert.exitCode,
        kind: certReport.kind,
        signature: certReport.signature,
        identity: certReport.certificateIdentity,
      }).toEqual({
        key: 0,
        cert: 0,
        kind: "bundle",
        signature: "verified",
        identity: "CN=assay-test",
      });
      expect(certReport.checks[0].message).toContain("its identity is not checked offline: use gh attestation verify");
      const noKey = await runAssay(["verify-attestation", join(dir.path, "key-bundle.json"), "--archive", upstreamArchive]);
      expect(noKey.exitCode).toBe(1);
      expect(noKey.stderr).toContain("[error] signature: the envelope is signed, but no key was given to check it: pass --key PUB");
    },
  );

  test("exits 2 for input that is not an attestation, and for a missing archive", async () => {
    using dir = tempDir("attest-e2e", { "notes.txt": "hello\n", "other.json": '{"_type":"https://in-toto.io/Statement/v0.1","subject":[]}' });
    const notJson = await runAssay(["verify-attestation", join(dir.path, "notes.txt"), "--archive", upstreamArchive]);
    const notStatement = await runAssay(["verify-attestation", join(dir.path, "other.json"), "--archive", upstreamArchive]);
    writeFileSync(join(dir.path, "statement.json"), (await runAssay(["attest", upstreamArchive])).stdout);
    const noArchive = await runAssay(["verify-attestation", join(dir.path, "statement.json"), "--archive", join(dir.path, "missing.tar.gz")]);
    const noArchiveFlag = await runAssay(["verify-attestation", join(dir.path, "statement.json")]);
    expect([notJson.exitCode, notStatement.exitCode, noArchive.exitCode, noArchiveFlag.exitCode]).toEqual([2, 2, 2, 2]);
    expect(noArchiveFlag.stderr).toBe(
      "[error] --archive ARCHIVE is required: the archive the attestation is about\nsee assay-runner verify-attestation --help\n",
    );
    expect(notJson.stderr).toStartWith(`[error] ${join(dir.path, "notes.txt")}: expected a JSON statement, DSSE envelope or Sigstore bundle`);
    expect(notStatement.stderr).toStartWith(`[error] ${join(dir.path, "other.json")}: not an in-toto Statement v1: _type:`);
    expect(noArchive.stderr).toStartWith(`[error] cannot read archive ${join(dir.path, "missing.tar.gz")}`);
  });
});

// --- helpers ---

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at]! ^= 0x01;
  writeFileSync(file, bytes);
}

function makeKeys(dir: string, algorithm: "ed25519" | "ec"): { privateFile: string; publicFile: string } {
  const privateFile = join(dir, "key.pem");
  const publicFile = join(dir, "key.pub");
  const args = algorithm === "ed25519" ? ["-algorithm", "ed25519"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  expect(Bun.spawnSync([openssl!, "genpkey", ...args, "-out", privateFile]).exitCode).toBe(0);
  expect(Bun.spawnSync([openssl!, "pkey", "-in", privateFile, "-pubout", "-out", publicFile]).exitCode).toBe(0);
  return { privateFile, publicFile };
}

describe("attest and verify-attestation keep the command-line contract", () => {
  const commands = ["attest", "verify-attestation"];

  test("--help is plain, at most 100 columns except examples, no trailing blanks, with its exit codes and examples", async () => {
    const report: Record<string, unknown> = {};
    for (const command of commands) {
      const { stdout, exitCode } = await runAssay([command, "--help"]);
      const lines = stdout.split("\n");
      const examples = lines.indexOf("Examples:");
      const body = examples >= 0 ? lines.slice(0, examples) : lines;
      report[command] = [
        exitCode,
        examples > 0,
        body.filter((l) => l.length > 100).length,
        lines.filter((l) => /\s$/.test(l)).length,
        lines.some((l) => /^ {2}2 +bad usage or unusable input/.test(l)),
        lines.some((l) => /^ {2}1 +the check failed/.test(l)),
      ];
    }
    expect(report).toEqual({ attest: [0, true, 0, 0, true, false], "verify-attestation": [0, true, 0, 0, true, true] });
  });

  test("an unknown flag is the same short answer as for every command", async () => {
    const answers = await Promise.all(commands.map((command) => runAssay([command, "--no-such-flag"])));
    expect(answers).toEqual(
      commands.map((command) => ({ stdout: "", stderr: `[error] unknown flag --no-such-flag\nsee assay-runner ${command} --help\n`, exitCode: 2 })),
    );
  });

  test("--json prints exactly one JSON document on stdout, for success and for an error", async () => {
    using dir = tempDir("attest-e2e");
    const statement = join(dir.path, "statement.json");
    const outcomes = [
      await runAssay(["attest", upstreamArchive, "--json"]),
      await runAssay(["attest", upstreamArchive, "-o", statement, "--json"]),
      await runAssay(["verify-attestation", statement, "--archive", upstreamArchive, "--json"]),
      await runAssay(["attest", join(dir.path, "missing.tar.gz"), "--json"]),
      await runAssay(["verify-attestation", join(dir.path, "missing.json"), "--archive", upstreamArchive, "--json"]),
    ];
    const documents = outcomes.map((outcome) => {
      const value = JSON.parse(outcome.stdout) as Record<string, unknown>;
      return [outcome.exitCode, Object.keys(value).slice(0, 2).join(","), outcome.stderr.startsWith("[error]") || outcome.stderr === ""];
    });
    expect(documents).toEqual([
      [0, "_type,subject", true],
      [0, "output,predicateType", true],
      [0, "attestation,archive", true],
      [2, "error", true],
      [2, "attestation,archive", true],
    ]);
  });
});
