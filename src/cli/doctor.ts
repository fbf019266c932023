import * as v from "valibot";
import { diagnoseCapture, type CaptureDiagnosis } from "../capture/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.doctor,
    args: {
      json: { type: "boolean", description: "Print one JSON report on stdout instead of the table on stderr" },
      quiet: { type: "boolean", description: "Print only the verdict" },
    },
    run: ({ args }) => doctorCommand(parseArgsWith(DoctorArgsSchema, args)),
  },
  { examples: ["assay-runner doctor --json"] },
);

// --- internal ---

const DoctorArgsSchema = v.object({
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

async function doctorCommand(options: v.InferOutput<typeof DoctorArgsSchema>): Promise<number> {
  configureOutput({ quiet: options.quiet });
  const diagnosis = await diagnoseCapture({ loadBpf: true });
  if (options.json)
    printJson({ kernel_capture: diagnosis.kernelCapture, recommended: diagnosis.recommended, checks: diagnosis.checks, backends: diagnosis.backends });
  else render(diagnosis);
  return diagnosis.kernelCapture ? 0 : 40;
}

function render(diagnosis: CaptureDiagnosis): void {
  const width = Math.max(...diagnosis.checks.map((c) => c.check.length), ...diagnosis.backends.map((b) => b.backend.length + 9));
  for (const check of diagnosis.checks) logger.log(`${check.ok ? "ok  " : "FAIL"}  ${check.check.padEnd(width)}  ${check.detail}`);
  for (const backend of diagnosis.backends)
    logger.log(`${backend.available ? "ok  " : "no  "}  ${`capture: ${backend.backend}`.padEnd(width)}  ${backend.reason}`);
  if (diagnosis.kernelCapture) logger.success(`kernel capture works here; --capture auto uses ${diagnosis.recommended}`);
  else logger.error("no kernel capture works here; runs can only be contract-only (--capture none)");
}
