import { describe, expect, test } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import { host, runAssay, skipReason } from "../harness.ts";

const noBinary = skipReason(!host.hasBinary, "needs the compiled binary (bun scripts/build.ts)");
// Without NO_COLOR=1 citty would colour its usage; the binary must not send colour codes down a pipe.
const colourAllowed = { NO_COLOR: "" };
const ESC = "\x1b";

describe.skipIf(noBinary)("assay-runner command line", () => {
  test("--version prints the package version", async () => {
    expect(await runAssay(["--version"])).toEqual({ stdout: `${pkg.version}\n`, stderr: "", exitCode: 0 });
  });

  test("an unknown command exits 2 and points at --help", async () => {
    const outcome = await runAssay(["frobnicate"]);
    expect(outcome).toEqual({ stdout: "", stderr: '[error] unknown command "frobnicate"; see assay-runner --help\n', exitCode: 2 });
  });

  test("--help on a pipe is plain text, without colour codes", async () => {
    const [root, command] = await Promise.all([runAssay(["--help"], { env: colourAllowed }), runAssay(["project", "--help"], { env: colourAllowed })]);
    expect({
      exitCodes: [root.exitCode, command.exitCode],
      rootUsage: root.stdout.includes("Usage: assay-runner COMMAND [OPTIONS]"),
      commandUsage: command.stdout.includes("Usage: assay-runner project [OPTIONS] INPUT --rules FILE"),
      escapes: [root.stdout.includes(ESC), command.stdout.includes(ESC)],
    }).toEqual({ exitCodes: [0, 0], rootUsage: true, commandUsage: true, escapes: [false, false] });
  });

  // Issue 14, item 5: a usage error printed ~25 lines of help, padded to 728 columns, before the error.
  test("a usage error prints the one-line error first, then a short hint, plain, and nothing on stdout", async () => {
    const outcome = await runAssay(["project", "-", "--rules", "rules.json", "--format", "xml"], { env: colourAllowed });
    expect(outcome).toEqual({ stdout: "", stderr: "[error] --format: expected json, ndjson or summary\nsee assay-runner project --help\n", exitCode: 2 });
  });
});
