import * as v from "valibot";
import { parseJson } from "../evidence/index.ts";
import { formatIssue, validateText, type TextValidation } from "../schema/index.ts";
import { parseArgsWith } from "./_args.ts";
import { configureOutput, logger, printJson } from "./_output.ts";
import { cliCommand } from "./_command.ts";
import { COMMAND_META } from "./_command-meta.ts";

export default cliCommand(
  {
    meta: COMMAND_META.validate,
    args: {
      file: {
        type: "positional",
        required: false,
        description: "JSON or NDJSON file to check (format detected from the content); - reads stdin",
        valueHint: "FILE",
      },
      json: { type: "boolean", description: "Print one JSON report on stdout instead of messages on stderr" },
      quiet: { type: "boolean", description: "Print only problems, no success line" },
    },
    run: ({ args }) => validateCommand(parseArgsWith(ValidateArgsSchema, args)),
  },
  { synopsis: "[OPTIONS] FILE|-", examples: ["assay-runner validate layers/kernel.ndjson --json", "cat observation-health.json | assay-runner validate -"] },
);

// --- internal ---

const ValidateArgsSchema = v.object({
  file: v.pipe(v.string("a FILE to check is required (or - for stdin)"), v.minLength(1, "a FILE to check is required (or - for stdin)")),
  json: v.optional(v.boolean(), false),
  quiet: v.optional(v.boolean(), false),
});

type ValidateOptions = v.InferOutput<typeof ValidateArgsSchema>;

/** Issues printed before the rest is summarized; --json always carries every issue. */
const MAX_PRINTED_ISSUES = 50;

async function validateCommand(options: ValidateOptions): Promise<number> {
  configureOutput({ quiet: options.quiet });
  const file = options.file === "-" ? "<stdin>" : options.file;
  const text = await readText(options.file);
  if (!text.ok) {
    if (options.json) printJson({ file, valid: false, readable: false, error: text.message });
    logger.error(`${file}: ${text.message}`);
    return 2;
  }
  const result = validateText(text.value, { file }, parseJson);
  if (options.json) printJson(report(file, result));
  else render(file, result);
  return result.issues.length === 0 ? 0 : 1;
}

async function readText(path: string): Promise<{ ok: true; value: string } | { ok: false; message: string }> {
  let bytes: Uint8Array;
  try {
    bytes = path === "-" ? await Bun.stdin.bytes() : await Bun.file(path).bytes();
  } catch (error) {
    return { ok: false, message: `cannot read: ${describeReadError(error)}` };
  }
  // Nothing to check is not a pass: an empty file names no schema, so "valid" would claim nothing.
  if (bytes.length === 0) {
    return {
      ok: false,
      message: "the file is empty: no JSON document or NDJSON row to check (an empty layer is checked inside its archive: assay-runner verify)",
    };
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    return { ok: false, message: "cannot read: this is a gzip archive, not a JSON document (to check an archive use: assay-runner verify FILE)" };
  }
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    // Upstream writes only UTF-8 (serde_json); other bytes mean this is not an assay document.
    return { ok: false, message: "cannot read: the file is not UTF-8 text" };
  }
}

function describeReadError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory (to check an archive directory use: assay-runner verify DIR)";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

function report(file: string, result: TextValidation) {
  return {
    file,
    valid: result.issues.length === 0,
    format: result.format,
    documents: result.count,
    schemas: result.schemas,
    issues: result.issues,
  };
}

function render(file: string, result: TextValidation): void {
  if (result.issues.length === 0) {
    logger.success(`${file}: valid (${describeContent(result)})`);
    return;
  }
  for (const issue of result.issues.slice(0, MAX_PRINTED_ISSUES)) logger.error(formatIssue(issue));
  const hidden = result.issues.length - MAX_PRINTED_ISSUES;
  if (hidden > 0) logger.error(`… and ${hidden} more issue${hidden === 1 ? "" : "s"} (--json lists them all)`);
  const n = result.issues.length;
  logger.error(`${file}: invalid, ${n} issue${n === 1 ? "" : "s"} (${describeContent(result)})`);
}

function describeContent(result: TextValidation): string {
  if (result.count === 0) return "no rows: an empty NDJSON layer";
  const kinds = Object.entries(result.schemas).map(([schema, n]) => `${n} × ${schema}`);
  const what = result.format === "json" ? "1 JSON document" : `${result.count} NDJSON row${result.count === 1 ? "" : "s"}`;
  return kinds.length === 0 ? what : `${what}: ${kinds.join(", ")}`;
}
